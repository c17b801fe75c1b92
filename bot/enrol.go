package bot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pakenham-health/pms/nlu"
	"github.com/pakenham-health/pms/records"
)

const enrolForm = "enrol"

// Answer values of the enrolment's choice questions.
const (
	answerYes = "yes"
	answerNo  = "no"
)

var enrol = registerForm(&form{
	name:      enrolForm,
	title:     "enrolment",
	cancelled: msgEnrolCancelled,
	finish:    finishEnrol,
	fields: []field{
		{key: "consent", prompt: constPrompt(msgConsent),
			choices:    []choice{answerChoice("Yes, I agree", answerYes), answerChoice("No", answerNo)},
			parse:      parseYesNo(msgConsentUnclear),
			shortRetry: true,
			after: func(t *turn, v string) (bool, error) {
				if v == answerYes {
					return false, nil
				}
				t.state.Form = nil
				t.ask(msgConsentDeclined, t.menu()...)
				return true, nil
			}},
		{key: "given_name", prompt: constPrompt(msgAskGivenName), freeText: true, parse: parseName("given_name")},
		{key: "family_name", prompt: constPrompt(msgAskFamilyName), freeText: true, parse: parseName("family_name")},
		{key: "preferred_name", prompt: constPrompt(msgAskPreferredName), optional: true, freeText: true, parse: parseName("preferred_name")},
		{key: "birth_date", prompt: constPrompt(msgAskBirthDate), parse: parseBirthDate},
		{key: "gender", prompt: constPrompt(msgAskGender), optional: true,
			choices: []choice{answerChoice("Woman", "Woman"), answerChoice("Man", "Man"), answerChoice("Non-binary", "Non-binary")},
			parse:   parseGender},
		{key: "phone", prompt: constPrompt(msgAskPhone), acceptsContact: true, parse: parsePhone("phone")},
		{key: "email", prompt: constPrompt(msgAskEmail), optional: true, parse: parseEmail},
		{key: "medicare", prompt: constPrompt(msgAskMedicare), optional: true, parse: parseMedicare},
		{key: "medicare_irn", prompt: constPrompt(msgAskIRN), optional: true,
			skip:  func(a map[string]string) bool { return a["medicare"] == "" || strings.Contains(a["medicare"], "/") },
			parse: parseIRN,
			after: func(t *turn, v string) (bool, error) {
				// A card number is stored only with its reference number.
				if v == "" {
					delete(t.state.Form.Answers, "medicare")
				}
				return false, nil
			}},
		{key: "emergency_name", prompt: constPrompt(msgAskEmergencyName), optional: true, freeText: true, parse: parseName("emergency_name")},
		{key: "emergency_phone", prompt: constPrompt(msgAskEmergencyPhone),
			skip:  func(a map[string]string) bool { return a["emergency_name"] == "" },
			parse: parseEmergencyPhone},
		{key: "confirm", prompt: enrolSummary,
			choices: []choice{answerChoice("Yes, enrol me", answerYes), answerChoice("Start again", answerNo)},
			parse:   parseYesNo(msgConfirmUnclear),
			after: func(t *turn, v string) (bool, error) {
				if v == answerYes {
					return false, nil
				}
				return true, t.startForm(enrolForm)
			}},
	},
})

func constPrompt(text string) func(*turn) string {
	return func(*turn) string { return text }
}

func parseYesNo(unclear string) func(*turn, string) (string, error) {
	return func(_ *turn, text string) (string, error) {
		yes, ok := yesNo(text)
		if !ok {
			return "", answerError(unclear)
		}
		if yes {
			return answerYes, nil
		}
		return answerNo, nil
	}
}

func parseName(field string) func(*turn, string) (string, error) {
	return func(t *turn, text string) (string, error) {
		// "next week" or "25 Dec" typed a question late is a date, not a name.
		if when, err := nlu.ParseWhen(text, t.now, t.e.cfg.Location); err == nil && when.HasDate {
			return "", answerError(msgNameLooksLikeDate)
		}
		return records.NormalizeName(field, text)
	}
}

func parseBirthDate(t *turn, text string) (string, error) {
	birth, err := nlu.ParseBirthDate(text, t.today())
	if err != nil {
		return "", err
	}
	if err := records.CheckBirthDate(birth, t.today()); err != nil {
		return "", err
	}
	return birth.Format(time.DateOnly), nil
}

func parseGender(t *turn, text string) (string, error) {
	text = strings.TrimSpace(text)
	if len([]rune(text)) > 50 || strings.ContainsAny(text, "\n\r") {
		return "", answerError(msgGenderTooLong)
	}
	// Digits or a date mean the patient is answering another question (their date of
	// birth, say), not describing their gender.
	when, err := nlu.ParseWhen(text, t.now, t.e.cfg.Location)
	if strings.ContainsAny(text, "0123456789") || err != nil || when.HasDate {
		return "", answerError(msgGenderUnclear)
	}
	return text, nil
}

func parsePhone(field string) func(*turn, string) (string, error) {
	return func(_ *turn, text string) (string, error) {
		return records.NormalizePhone(field, text)
	}
}

func parseEmail(_ *turn, text string) (string, error) {
	return records.NormalizeEmail(text)
}

// parseMedicare stores "NUMBER" or, when the 11th digit (IRN) was typed too, "NUMBER/IRN".
func parseMedicare(t *turn, text string) (string, error) {
	number, irn, err := records.ParseMedicare(text)
	if err != nil {
		return "", err
	}
	if irn != 0 {
		if err := t.checkMedicareFree(number, irn); err != nil {
			return "", err
		}
		return number + "/" + strconv.Itoa(irn), nil
	}
	return number, nil
}

func parseIRN(t *turn, text string) (string, error) {
	irn, err := records.ParseIRN(text)
	if err != nil {
		return "", err
	}
	if err := t.checkMedicareFree(t.state.Form.Answers["medicare"], irn); err != nil {
		return "", err
	}
	return strconv.Itoa(irn), nil
}

// checkMedicareFree rejects a Medicare number and reference number already on a record:
// the patient may be enrolled already, and a record is never merged on their say-so.
func (t *turn) checkMedicareFree(number string, irn int) error {
	used, err := records.MedicareInUse(t.ctx, t.tx, number, irn)
	if err != nil {
		return err
	}
	if used {
		return answerError(msgMedicareInUse)
	}
	return nil
}

// parseEmergencyPhone is parsePhone that also rejects the patient's own number.
func parseEmergencyPhone(t *turn, text string) (string, error) {
	phone, err := records.NormalizePhone("emergency_phone", text)
	if err != nil {
		return "", err
	}
	if phone == t.state.Form.Answers["phone"] {
		return "", answerError(msgEmergencyIsOwnPhone)
	}
	return phone, nil
}

// medicareOf splits the stored Medicare answers into number and IRN.
func medicareOf(a map[string]string) (string, int) {
	number, irnText, found := strings.Cut(a["medicare"], "/")
	if !found {
		irnText = a["medicare_irn"]
	}
	irn, _ := strconv.Atoi(irnText)
	if number == "" || irn == 0 {
		return "", 0
	}
	return number, irn
}

func enrolSummary(t *turn) string {
	a := t.state.Form.Answers
	var b strings.Builder
	b.WriteString(msgSummaryIntro)
	line := func(label, value string) {
		if value == "" {
			value = "not given"
		}
		fmt.Fprintf(&b, "\n%s: %s", label, value)
	}
	line("Name", a["given_name"]+" "+a["family_name"])
	line("Preferred name", a["preferred_name"])
	if birth, err := time.Parse(time.DateOnly, a["birth_date"]); err == nil {
		line("Date of birth", birth.Format("02/01/2006"))
	}
	line("Gender", a["gender"])
	line("Phone", records.FormatPhone(a["phone"]))
	line("Email", a["email"])
	number, irn := medicareOf(a)
	if number != "" {
		line("Medicare", fmt.Sprintf("%s %s %s, reference %d", number[:4], number[4:9], number[9:], irn))
	} else {
		line("Medicare", "")
	}
	if a["emergency_name"] != "" {
		line("Emergency contact", a["emergency_name"]+", "+records.FormatPhone(a["emergency_phone"]))
	} else {
		line("Emergency contact", "")
	}
	b.WriteString("\n\n" + msgSummaryQuestion)
	return b.String()
}

func finishEnrol(t *turn) error {
	a := t.lastAnswers
	birth, err := time.Parse(time.DateOnly, a["birth_date"])
	if err != nil {
		return fmt.Errorf("enrol: stored date of birth %w", err)
	}
	number, irn := medicareOf(a)
	p := &records.Patient{
		GivenName:             a["given_name"],
		FamilyName:            a["family_name"],
		PreferredName:         a["preferred_name"],
		BirthDate:             birth,
		Gender:                a["gender"],
		Phone:                 a["phone"],
		Email:                 a["email"],
		MedicareNumber:        number,
		MedicareIRN:           irn,
		EmergencyContactName:  a["emergency_name"],
		EmergencyContactPhone: a["emergency_phone"],
		ConsentAt:             t.now,
		ConsentVersion:        records.ConsentVersion,
	}
	created, err := records.Create(t.ctx, t.tx, p, t.account())
	if errors.Is(err, records.ErrDuplicateMedicare) {
		// Another enrolment took the same card details since the question was answered.
		t.ask(msgMedicareTakenAtSave, t.menu()...)
		return nil
	}
	if errors.Is(err, records.ErrConflict) {
		// Another turn enrolled this account first; the database kept one record.
		t.ask(msgAlreadyEnrolledRace, t.menu()...)
		return nil
	}
	if err != nil {
		return err
	}
	t.patient = created
	t.ask(fmt.Sprintf(msgEnrolled, created.CallName(), created.MRN), t.menu()...)
	return nil
}

// startEnrol begins enrolment, resumes a paused one, or tells an enrolled patient they
// are already known.
func (t *turn) startEnrol() error {
	if t.patient != nil {
		t.ask(fmt.Sprintf(msgAlreadyEnrolled, t.patient.CallName(), t.patient.MRN), t.menu()...)
		return nil
	}
	if t.state.Paused != nil && t.state.Paused.Name == enrolForm {
		return t.resume()
	}
	return t.startForm(enrolForm)
}
