package bot

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pakenham-health/pms/booking"
)

// showTimes searches for times matching the draft and offers the best few, plus other
// times and the waitlist. intro, if set, starts the message.
func (t *turn) showTimes(intro string) error {
	draft := t.state.Booking
	req, err := t.slotRequest(draft)
	if err != nil {
		return err
	}
	search, err := t.e.cfg.Booking.FindSlotsTx(t.ctx, t.tx, req)
	if err != nil {
		return fmt.Errorf("find slots: %w", err)
	}
	shown := t.pickShown(draft, search.Candidates)
	what := t.describeWho(draft, search.Practitioners)
	if len(shown) == 0 && draft.To != "" {
		// Nothing on the day asked for: offer the nearest times after it instead.
		intro = joinParagraphs(intro, fmt.Sprintf(msgNoTimesThatDay, what, t.describeDays(draft)))
		draft.To = ""
		if req, err = t.slotRequest(draft); err != nil {
			return err
		}
		if search, err = t.e.cfg.Booking.FindSlotsTx(t.ctx, t.tx, req); err != nil {
			return fmt.Errorf("find slots: %w", err)
		}
		shown = t.pickShown(draft, search.Candidates)
		if len(shown) > 0 {
			intro = joinParagraphs(intro, msgNearestTimes)
		}
	}
	if len(shown) == 0 {
		t.ask(joinParagraphs(intro, fmt.Sprintf(msgNoTimes, what)),
			choice{label: "Join the waitlist", option: Option{Action: actionWaitlistJoin}})
		return nil
	}
	if first := shown[0].Start.In(t.e.cfg.Location); first.Sub(t.now) > 300*24*time.Hour {
		intro = joinParagraphs(intro, fmt.Sprintf(msgNextYear, first.Format("2 January 2006")))
	}
	var choices []choice
	for _, c := range shown {
		p := search.Practitioners[c.PractitionerID]
		label := fmt.Sprintf("%s, %s – %s", t.shortDay(c.Start), booking.FormatClock(c.Start, t.e.cfg.Location), p.DisplayName)
		choices = append(choices, choice{label: label, option: Option{Action: actionSlot, Value: slotValue(c)}})
	}
	draft.After = time.Time{}
	last := shown[len(shown)-1].Start
	choices = append(choices,
		choice{label: "Other times", option: Option{Action: actionMoreTimes, Value: strconv.FormatInt(last.Unix(), 10)}},
		choice{label: "Join the waitlist", option: Option{Action: actionWaitlistJoin}})
	t.ask(joinParagraphs(intro, fmt.Sprintf(msgTimesFound, what)), choices...)
	return nil
}

// sentOnlyMenu reports whether every button this turn has queued so far is a menu entry
// (a request such as "Book an appointment"), not an answer to a question it asked.
func (t *turn) sentOnlyMenu() bool {
	found := false
	for _, msg := range t.out {
		for _, row := range msg.Buttons {
			for _, b := range row {
				if t.state.Options[b.Data].Action != actionIntent {
					return false
				}
				found = true
			}
		}
	}
	return found
}

// sentButtons reports whether this turn has queued any buttons so far.
func (t *turn) sentButtons() bool {
	for _, msg := range t.out {
		if len(msg.Buttons) > 0 {
			return true
		}
	}
	return false
}

// pickShown chooses the times to offer from ranked candidates: the best few after any
// already shown, leaving out the appointment being moved, grouped by day. When the patient
// asked for a time and none of those starts then, the first candidate that does takes the
// last place, so the time asked for is always on offer if it is free.
func (t *turn) pickShown(draft *BookingDraft, candidates []booking.Candidate) []booking.Candidate {
	var shown []booking.Candidate
	var exact *booking.Candidate
	for i, c := range candidates {
		if !draft.After.IsZero() && !c.Start.After(draft.After) {
			continue
		}
		if draft.RescheduleID != 0 && t.isRescheduled(c) {
			continue
		}
		if exact == nil && draft.Time != "" && c.Start.In(t.e.cfg.Location).Format("15:04") == draft.Time {
			exact = &candidates[i]
		}
		if len(shown) < slotsShown {
			shown = append(shown, c)
		}
	}
	if exact != nil && len(shown) == slotsShown && !slices.ContainsFunc(shown, func(c booking.Candidate) bool { return c == *exact }) {
		shown[slotsShown-1] = *exact
	}
	// The ranking picks which times to offer. They are grouped by day, earliest day first,
	// and within a day keep the ranking's order (the time asked for first).
	loc := t.e.cfg.Location
	slices.SortStableFunc(shown, func(a, b booking.Candidate) int {
		return strings.Compare(a.Start.In(loc).Format(time.DateOnly), b.Start.In(loc).Format(time.DateOnly))
	})
	return shown
}

// describeDays names the draft's dates for a patient: "Sunday 6 December" or
// "14 to 20 December".
func (t *turn) describeDays(draft *BookingDraft) string {
	from, err1 := time.ParseInLocation(time.DateOnly, draft.From, t.e.cfg.Location)
	to, err2 := time.ParseInLocation(time.DateOnly, draft.To, t.e.cfg.Location)
	if err1 != nil || err2 != nil {
		return "then"
	}
	if from.Equal(to) {
		return "on " + booking.FormatDay(from, t.e.cfg.Location)
	}
	return "from " + from.Format("2 January") + " to " + to.Format("2 January")
}

func joinParagraphs(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "\n\n")
}

// isRescheduled reports a candidate that is the appointment being moved.
func (t *turn) isRescheduled(c booking.Candidate) bool {
	appt, err := t.e.cfg.Booking.AppointmentTx(t.ctx, t.tx, t.patient.ID, t.state.Booking.RescheduleID)
	return err == nil && appt.PractitionerID == c.PractitionerID && appt.Start.Equal(c.Start)
}

// shortDay formats a day for a button: "Tue 8 Dec", with the year when it is not this year.
func (t *turn) shortDay(at time.Time) string {
	local := at.In(t.e.cfg.Location)
	if local.Year() != t.now.In(t.e.cfg.Location).Year() {
		return local.Format("Mon 2 Jan 2006")
	}
	return local.Format("Mon 2 Jan")
}

func (t *turn) describeWho(draft *BookingDraft, known map[int64]booking.Practitioner) string {
	if draft.PractitionerID != 0 {
		if p, ok := known[draft.PractitionerID]; ok {
			return p.DisplayName
		}
		if p, err := t.e.cfg.Booking.PractitionerTx(t.ctx, t.tx, draft.PractitionerID); err == nil {
			return p.DisplayName
		}
	}
	return "a " + specialtyLabel(draft.Specialty)
}

func slotValue(c booking.Candidate) string {
	return fmt.Sprintf("%d/%d", c.PractitionerID, c.Start.Unix())
}

func parseSlotValue(v string) (int64, time.Time, error) {
	id, start, ok := strings.Cut(v, "/")
	if !ok {
		return 0, time.Time{}, fmt.Errorf("invalid slot option %q", v)
	}
	practitioner, err1 := strconv.ParseInt(id, 10, 64)
	unix, err2 := strconv.ParseInt(start, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, time.Time{}, fmt.Errorf("invalid slot option %q", v)
	}
	return practitioner, time.Unix(unix, 0), nil
}

func idVersionValue(id int64, version int) string { return fmt.Sprintf("%d/%d", id, version) }

func parseIDVersion(v string) (int64, int, error) {
	idText, versionText, _ := strings.Cut(v, "/")
	id, err1 := strconv.ParseInt(idText, 10, 64)
	version, err2 := strconv.Atoi(versionText)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("invalid appointment option %q", v)
	}
	return id, version, nil
}
