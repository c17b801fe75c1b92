package bot

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pakenham-health/pms/records"
)

const (
	updatePhoneForm = "update_phone"
	updateEmailForm = "update_email"
)

var _ = registerForm(&form{
	name:      updatePhoneForm,
	title:     "phone number change",
	cancelled: msgUpdateCancelled,
	fields: []field{
		{key: "phone", prompt: constPrompt(msgAskNewPhone), acceptsContact: true, parse: parsePhone("phone")},
	},
	finish: func(t *turn) error {
		phone := t.lastAnswers["phone"]
		if phone == t.patient.Phone {
			t.ask(fmt.Sprintf(msgPhoneUnchanged, records.FormatPhone(phone)), t.menu()...)
			return nil
		}
		if err := records.UpdatePhone(t.ctx, t.tx, t.patient.ID, phone, t.actor()); err != nil {
			return err
		}
		t.ask(fmt.Sprintf(msgPhoneUpdated, records.FormatPhone(phone)), t.menu()...)
		return nil
	},
})

// emailRemoved is the stored answer that removes the email address.
const emailRemoved = "-"

var _ = registerForm(&form{
	name:      updateEmailForm,
	title:     "email change",
	cancelled: msgUpdateCancelled,
	fields: []field{
		{key: "email", prompt: constPrompt(msgAskNewEmail),
			choices: []choice{answerChoice("Remove my email", emailRemoved)},
			parse: func(t *turn, text string) (string, error) {
				switch strings.ToLower(strings.TrimSpace(text)) {
				case "remove", "delete", "none", "no email":
					return emailRemoved, nil
				}
				return parseEmail(t, text)
			}},
	},
	finish: func(t *turn) error {
		email := t.lastAnswers["email"]
		text := fmt.Sprintf(msgEmailUpdated, email)
		if email == emailRemoved {
			email, text = "", msgEmailRemoved
		}
		if err := records.UpdateEmail(t.ctx, t.tx, t.patient.ID, email, t.actor()); err != nil {
			return err
		}
		t.ask(text, t.menu()...)
		return nil
	},
})

// details shows the patient's record, or starts a change of phone or email when the
// message asks for one.
func (t *turn) details(text string) error {
	if t.patient == nil {
		t.ask(msgNoDetailsYet, t.menu()...)
		return nil
	}
	lower := strings.ToLower(text)
	wantsChange := containsAny(lower, "change", "update", "new", "edit", "correct", "fix", "moved")
	switch {
	case wantsChange && containsAny(lower, "email", "e-mail", "mail"):
		// "change my email to alex@example.com" needs no question.
		if address := emailInText.FindString(text); address != "" {
			if _, err := records.NormalizeEmail(address); err == nil {
				t.state.Form = &FormState{Name: updateEmailForm, Step: "email", Answers: map[string]string{}}
				return t.formText(address)
			}
		}
		return t.startForm(updateEmailForm)
	case wantsChange && containsAny(lower, "phone", "mobile", "number", "ph "):
		if number := phoneInText.FindString(text); number != "" {
			t.state.Form = &FormState{Name: updatePhoneForm, Step: "phone", Answers: map[string]string{}}
			return t.formText(number)
		}
		return t.startForm(updatePhoneForm)
	}
	t.ask(detailsText(t.patient),
		choice{label: "Change phone", option: Option{Action: actionStartForm, Value: updatePhoneForm}},
		choice{label: "Change email", option: Option{Action: actionStartForm, Value: updateEmailForm}})
	return nil
}

var (
	emailInText = regexp.MustCompile(`[^\s@]+@[^\s@]+\.[^\s@]+`)
	phoneInText = regexp.MustCompile(`\+?[0-9][0-9 ()-]{7,}[0-9]`)
)

func containsAny(s string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func detailsText(p *records.Patient) string {
	var b strings.Builder
	b.WriteString(msgDetailsIntro)
	line := func(label, value string) {
		if value == "" {
			value = "not given"
		}
		fmt.Fprintf(&b, "\n%s: %s", label, value)
	}
	line("Name", p.GivenName+" "+p.FamilyName)
	line("Preferred name", p.PreferredName)
	line("Date of birth", p.BirthDate.Format("02/01/2006"))
	line("Gender", p.Gender)
	line("Phone", records.FormatPhone(p.Phone))
	line("Email", p.Email)
	if p.MedicareNumber != "" {
		// Only the last digits are shown, in case someone else is looking at the screen.
		line("Medicare", fmt.Sprintf("ending %s, reference %d", p.MedicareNumber[7:], p.MedicareIRN))
	} else {
		line("Medicare", "")
	}
	if p.EmergencyContactName != "" {
		line("Emergency contact", p.EmergencyContactName+", "+records.FormatPhone(p.EmergencyContactPhone))
	} else {
		line("Emergency contact", "")
	}
	line("Medical record number", p.MRN)
	b.WriteString("\n\n" + msgDetailsFooter)
	return b.String()
}
