package bot_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/records"
)

func TestEnrolmentTranscript(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.chat("1001")

	steps := []struct {
		send string
		tap  string
		want string
	}{
		{send: "/start", want: "I'll need to enrol you"},
		{tap: "Enrol", want: "Do you agree?"},
		{tap: "Yes, I agree", want: "first name"},
		{send: "Ava", want: "family name"},
		{send: "Testperson", want: "rather we call you"},
		{send: "Avie", want: "date of birth"},
		{send: "14/03/1990", want: "gender"},
		{tap: "Skip", want: "phone number"},
		{send: "0412 345 678", want: "email"},
		{send: "ava@example.com", want: "Medicare"},
		{send: "2123 45670 1", want: "reference number"},
		{send: "2", want: "emergency"},
		{send: "Sam Testperson", want: "their phone"},
		{send: "(03) 5941 1234", want: "Is that all correct?"},
		{tap: "Yes, enrol me", want: "You're enrolled, Avie!"},
	}
	for i, step := range steps {
		var out []bot.Outbound
		if step.tap != "" {
			out = c.tap(step.tap)
		} else {
			out = c.send(step.send)
		}
		require.NotEmpty(t, out, "step %d", i)
		assert.Contains(t, texts(out), step.want, "step %d (%s%s)", i, step.send, step.tap)
	}

	p, err := records.ByAccount(context.Background(), h.pool, records.Account{Channel: "test", ID: "1001"})
	require.NoError(t, err)
	assert.Equal(t, "Ava", p.GivenName)
	assert.Equal(t, "Testperson", p.FamilyName)
	assert.Equal(t, "Avie", p.PreferredName)
	assert.Equal(t, "1990-03-14", p.BirthDate.Format("2006-01-02"))
	assert.Equal(t, "", p.Gender)
	assert.Equal(t, "+61412345678", p.Phone)
	assert.Equal(t, "ava@example.com", p.Email)
	assert.Equal(t, "2123456701", p.MedicareNumber)
	assert.Equal(t, 2, p.MedicareIRN)
	assert.Equal(t, "Sam Testperson", p.EmergencyContactName)
	assert.Equal(t, "+61359411234", p.EmergencyContactPhone)
	assert.Equal(t, records.ConsentVersion, p.ConsentVersion)
	assert.True(t, p.ConsentAt.Equal(testNow))
	assert.Contains(t, texts(c.last), p.MRN)

	out := c.send("hello")
	assert.Contains(t, texts(out), "Welcome back, Avie!")
	out = c.send("I want to enrol")
	assert.Contains(t, texts(out), "already enrolled")
	assert.Equal(t, 1, h.count(`SELECT count(*) FROM patients`))
}

func TestEnrolmentRejectsBadAnswers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.chat("1002")
	c.send("enrol")
	c.send("yes")
	c.send("Noah")
	c.send("Example")
	c.tap("Skip")

	cases := []struct {
		send string
		want string
	}{
		{"31/02/1990", "February"},
		{"25/12/2030", "future"},
		{"sometime in the 80s", "date of birth"},
	}
	for _, tc := range cases {
		out := c.send(tc.send)
		assert.Contains(t, texts(out), tc.want, tc.send)
		assert.Contains(t, texts(out), "What's your date of birth?", "re-asks after %q", tc.send)
	}
	out := c.send("25-12-80")
	assert.Contains(t, texts(out), "gender")
	c.tap("Skip")
	out = c.send("12345")
	assert.Contains(t, texts(out), "area code")
	c.send("0412345678")
	c.tap("Skip")
	out = c.send("2123 45671 1")
	assert.Contains(t, texts(out), "doesn't check out")
	assert.Contains(t, texts(out), "Medicare card number")

	out = c.send("back")
	assert.Contains(t, texts(out), "email", "back returns to the email question")
	out = c.send("cancel")
	assert.Contains(t, texts(out), "haven't saved anything")
	assert.Equal(t, 0, h.count(`SELECT count(*) FROM patients`))
}

func TestDeclinedConsentStoresNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.chat("1003")
	c.send("enrol")
	out := c.tap("No")
	assert.Contains(t, texts(out), "haven't stored anything")
	out = c.send("Mia")
	assert.NotContains(t, texts(out), "family name")
	assert.Equal(t, 0, h.count(`SELECT count(*) FROM patients`))
}

func TestNamesStoredExactly(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.chat("1004")
	c.send("enrol")
	c.send("yes")
	c.send("_under_*score*")
	c.send("Nguyễn 🌸 <b>李</b>")
	c.tap("Skip")
	c.send("1980-12-25")
	c.send("they/them")
	c.send("+61 412 345 678")
	c.tap("Skip")
	c.tap("Skip")
	c.tap("Skip")
	out := c.tap("Yes, enrol me")
	assert.Contains(t, texts(out), "You're enrolled, _under_*score*!")

	p, err := records.ByAccount(context.Background(), h.pool, records.Account{Channel: "test", ID: "1004"})
	require.NoError(t, err)
	assert.Equal(t, "_under_*score*", p.GivenName)
	assert.Equal(t, "Nguyễn 🌸 <b>李</b>", p.FamilyName)
	assert.Equal(t, "they/them", p.Gender)
	assert.Empty(t, p.MedicareNumber)
}

func TestCrisisInsideEnrolmentGetsEmergencyReplyFirst(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.chat("1005")
	c.send("enrol")
	c.send("yes")
	c.send("Lee")

	out := c.send("i want to kill myself")
	require.NotEmpty(t, out)
	assert.Contains(t, out[0].Text, "000")
	assert.Contains(t, out[0].Text, "13 11 14")
	assert.Contains(t, texts(out), "enrolment answers so far are kept")

	out = c.send("Example")
	assert.Contains(t, texts(out), "rather we call you", "the form carries on where it was")
}

func TestTopicSwitchPausesForm(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.chat("1006")
	c.send("enrol")
	c.send("yes")

	out := c.send("actually how do I cancel my appointment?")
	assert.Contains(t, texts(out), "appointments in chat just yet")
	assert.Contains(t, texts(out), "enrolment is paused")

	out = c.tap("Resume enrolment")
	assert.Contains(t, texts(out), "first name")
	out = c.send("Zoe")
	assert.Contains(t, texts(out), "family name")
}

func TestDuplicateMessageHasOneEffect(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.chat("1007")
	in := bot.Inbound{Channel: "test", ChatID: "1007", UserID: "1007", MessageID: "dup-1", Kind: bot.KindText, Text: "enrol"}

	var wg sync.WaitGroup
	outcomes := make(chan bot.Outcome, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcome, err := h.engine.Handle(context.Background(), in)
			assert.NoError(t, err)
			outcomes <- outcome
		}()
	}
	wg.Wait()
	close(outcomes)
	processed := 0
	for o := range outcomes {
		if o == bot.OutcomeProcessed {
			processed++
		} else {
			assert.Equal(t, bot.OutcomeDuplicate, o)
		}
	}
	assert.Equal(t, 1, processed)
	assert.Len(t, c.pending(), 1, "one reply for one message")
}

func TestStaleAndForgedButtonsDoNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.chat("1008")
	c.send("enrol")
	stale := c.buttonData("Yes, I agree")
	question := c.send("yes")

	in := c.inbound(bot.KindCallback)
	in.Callback = stale
	out := c.deliver(in)
	assert.Contains(t, texts(out), "no longer applies")
	assert.NotContains(t, texts(out), "first name", "the question in front of the patient is not sent again")

	in = c.inbound(bot.KindCallback)
	in.Callback = "o999999"
	out = c.deliver(in)
	assert.Contains(t, texts(out), "no longer applies")
	assert.Equal(t, 0, h.count(`SELECT count(*) FROM patients`))
	assert.Equal(t, 2, h.count(`SELECT count(*) FROM inbound_messages WHERE channel = 'test' AND outcome = 'rejected'`))

	c.last = question
	out = c.tap("Cancel")
	assert.Contains(t, texts(out), "cancelled your enrolment", "the current question's buttons still work")
}

func TestLongAndUnsupportedMessages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.chat("1009")
	c.send("enrol")
	c.send("yes")

	out := c.send(strings.Repeat("a", 5000))
	assert.Contains(t, texts(out), "too long")
	assert.Contains(t, texts(out), "first name")

	in := c.inbound(bot.KindUnsupported)
	in.Unsupported = "stickers"
	out = c.deliver(in)
	assert.Contains(t, texts(out), "can't read stickers")
	assert.Contains(t, texts(out), "first name")
}

func TestSharedContactFillsPhone(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.chat("1010")
	for _, s := range []string{"enrol", "yes", "Ivy", "Example", "skip", "01/02/2003", "skip"} {
		c.send(s)
	}
	assert.True(t, c.last[len(c.last)-1].RequestContact, "phone question offers contact sharing")

	in := c.inbound(bot.KindContact)
	in.ContactPhone, in.ContactUserID = "+61499111222", "someone-else"
	out := c.deliver(in)
	assert.Contains(t, texts(out), "someone else's contact")

	in = c.inbound(bot.KindContact)
	in.ContactPhone, in.ContactUserID = "61499111222", "1010"
	out = c.deliver(in)
	assert.Contains(t, texts(out), "email")
}

func TestEnrolmentRejectsSharedMedicareAndOwnPhone(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	existing := &records.Patient{GivenName: "Kim", FamilyName: "Example", BirthDate: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		Phone: "+61491570157", MedicareNumber: "2123456701", MedicareIRN: 1, ConsentAt: testNow, ConsentVersion: records.ConsentVersion}
	_, err := records.Create(context.Background(), h.pool, existing, records.Account{Channel: "test", ID: "other"})
	require.NoError(t, err)

	c := h.chat("1011")
	for _, s := range []string{"enrol", "yes", "Lou", "Example", "skip", "01/02/2003"} {
		c.send(s)
	}
	out := c.send("12/12/1990")
	assert.Contains(t, texts(out), "another question", "a date is not a gender")
	out = c.tap("Woman")
	assert.Contains(t, texts(out), "phone number")
	c.send("0491 570 156")
	c.tap("Skip")
	out = c.send("21234567011")
	assert.Contains(t, texts(out), "already on another patient record")
	out = c.send("2123456701")
	assert.Contains(t, texts(out), "reference number")
	out = c.send("1")
	assert.Contains(t, texts(out), "already on another patient record", "same card and reference number")
	out = c.send("2")
	assert.Contains(t, texts(out), "emergency")
	c.send("Sam Example")
	out = c.send("0491 570 156")
	assert.Contains(t, texts(out), "your own number")
	out = c.send("0491 570 110")
	assert.Contains(t, texts(out), "Gender: Woman")
	assert.Contains(t, texts(out), "reference 2")
}

func TestSmallTalkAndHelpBeforeEnrolment(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.chat("1012")
	assert.Contains(t, texts(c.send("help")), "Once you're enrolled")
	assert.Contains(t, texts(c.send("thanks!")), "You're welcome")
	assert.Contains(t, texts(c.send("are you a robot?")), "not a person")
	assert.Contains(t, texts(c.send("back")), "nothing in progress")
}

func TestCrisisKeepsQuestionButtonsLive(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.chat("1013")
	c.send("enrol")
	consent := c.last
	c.send("I can't go on anymore")
	c.last = consent
	out := c.tap("Yes, I agree")
	assert.Contains(t, texts(out), "first name", "the consent buttons still work after the crisis reply")
}

func TestTurnFinishesAfterCallerCancels(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.chat("1014")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := c.inbound(bot.KindText)
	in.Text = "enrol"
	outcome, err := h.engine.Handle(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, bot.OutcomeProcessed, outcome)
	assert.Contains(t, texts(c.pending()), "Do you agree?")
}

func TestSaveTimeMedicareClashKeepsChatWorking(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a, b := h.chat("1015"), h.chat("1016")
	for _, c := range []*chat{a, b} {
		for _, s := range []string{"enrol", "yes", "Rin", "Example", "skip", "01/02/2003", "skip", "0491 570 156", "skip", "21234567011", "skip"} {
			c.send(s)
		}
		assert.Contains(t, texts(c.last), "Is that all correct?")
	}
	out := a.tap("Yes, enrol me")
	assert.Contains(t, texts(out), "You're enrolled")

	out = b.tap("Yes, enrol me")
	assert.Contains(t, texts(out), "just saved on another patient record")
	assert.Equal(t, 1, h.count(`SELECT count(*) FROM patients`))
	assert.Equal(t, 0, h.count(`SELECT count(*) FROM inbound_messages WHERE outcome = 'failed'`))
	assert.Contains(t, texts(b.send("hi")), "I'll need to enrol you", "the chat carries on normally")
}

func TestStaleDraftsArePurged(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.chat("1017")
	c.send("enrol")
	c.send("yes")
	c.send("Jo")

	cleared, err := h.engine.PurgeStaleDrafts(context.Background())
	require.NoError(t, err)
	assert.Zero(t, cleared, "a fresh draft is kept")

	_, err = h.pool.Exec(context.Background(), `UPDATE conversations SET updated_at = now() - interval '15 days' WHERE chat_id = '1017'`)
	require.NoError(t, err)
	h.clock.Set(time.Now())
	cleared, err = h.engine.PurgeStaleDrafts(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(1), cleared)
	assert.Equal(t, 0, h.count(`SELECT count(*) FROM conversations WHERE state::text LIKE '%Jo%'`), "the typed name is gone")
}

func TestSkippedMedicareLeavesNoReferenceBehind(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.chat("1018")
	for _, s := range []string{"enrol", "yes", "Kim", "Example", "skip", "01/02/2003", "skip", "0491 570 156", "skip", "2123456701", "2"} {
		c.send(s)
	}
	assert.Contains(t, texts(c.last), "emergency")
	c.send("back")
	c.send("back")
	out := c.send("skip")
	assert.Contains(t, texts(out), "emergency", "skipping Medicare skips the reference number too")
	c.send("skip")
	out = c.tap("Yes, enrol me")
	assert.Contains(t, texts(out), "You're enrolled")

	c2 := h.chat("1019")
	for _, s := range []string{"enrol", "yes", "Lee", "Example", "skip", "01/02/2003", "skip", "0491 570 157", "skip", "2123456701"} {
		c2.send(s)
	}
	out = c2.send("skip")
	assert.Contains(t, texts(out), "emergency", "skip at the reference question leaves Medicare out")
	c2.send("skip")
	assert.Contains(t, texts(c2.last), "Medicare: not given")
	out = c2.tap("Yes, enrol me")
	assert.Contains(t, texts(out), "You're enrolled")
	assert.Equal(t, 0, h.count(`SELECT count(*) FROM patients WHERE medicare_number IS NOT NULL`))
}

func TestGreetingMidFormIsNotAnAnswer(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.chat("1020")
	c.send("enrol")
	c.send("yes")
	c.send("Ana")
	c.send("Example")
	out := c.send("hi")
	assert.Contains(t, texts(out), "Let's carry on with your enrolment")
	assert.Contains(t, texts(out), "rather we call you")
	c.send("skip")
	c.send("01/02/2003")
	c.send("skip")
	c.send("0491 570 156")
	c.send("skip")
	c.send("skip")
	out = c.send("skip")
	assert.Contains(t, texts(out), "Preferred name: not given")
}

func TestChangeEmailAndPhoneInOneMessage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := &records.Patient{GivenName: "Val", FamilyName: "Example", BirthDate: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		Phone: "+61491570157", ConsentAt: testNow, ConsentVersion: records.ConsentVersion}
	_, err := records.Create(context.Background(), h.pool, p, records.Account{Channel: "test", ID: "1021"})
	require.NoError(t, err)
	c := h.chat("1021")

	out := c.send("change my email to val.example@example.com")
	assert.Contains(t, texts(out), "Your email address is now val.example@example.com")
	out = c.send("please update my mobile to 0491 570 159")
	assert.Contains(t, texts(out), "Your phone number is now 0491 570 159")
	out = c.send("change my email to nonsense@")
	assert.Contains(t, texts(out), "new email address", "an unreadable address gets the question")
}

func TestCaptionIsScreenedAndRead(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.chat("1022")

	in := c.inbound(bot.KindUnsupported)
	in.Unsupported, in.Text = "photos", "I want to kill myself tonight"
	out := c.deliver(in)
	require.NotEmpty(t, out)
	assert.Contains(t, out[0].Text, "000", "a caption goes through the safety screen")

	in = c.inbound(bot.KindUnsupported)
	in.Unsupported, in.Text = "photos", "I'd like to enrol please"
	out = c.deliver(in)
	assert.Contains(t, texts(out), "I can't open photos")
	assert.Contains(t, texts(out), "Do you agree?")

	in = c.inbound(bot.KindUnsupported)
	in.Unsupported = "stickers"
	c.send("cancel")
	out = c.deliver(in)
	assert.Contains(t, texts(out), "send me a text message instead")
}
