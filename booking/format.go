package booking

import (
	"fmt"
	"time"
)

// MinOfferHold is the shortest time a patient is given to accept or decline a waitlist
// offer. A freed slot too close to its start for that is not offered.
const MinOfferHold = 5 * time.Minute

// OfferHold returns how long an offer for a slot starting at start holds it, given the
// configured default hold. The hold is the default, but at most a quarter of the time
// left before the slot, so a declined or expired offer leaves time to offer the slot
// again. It returns false when the slot starts inside the minimum notice or the hold
// would be shorter than MinOfferHold.
func OfferHold(now, start time.Time, defaultHold, minNotice time.Duration) (time.Duration, bool) {
	until := start.Sub(now)
	if until < minNotice {
		return 0, false
	}
	hold := min(defaultHold, until/4)
	if hold < MinOfferHold {
		return 0, false
	}
	return hold, true
}

// IsLate reports whether a change made at now to an appointment starting at start falls
// inside the late window, so attendance counts it as a late cancellation or reschedule.
func IsLate(now, start time.Time, lateWindow time.Duration) bool {
	return start.Sub(now) < lateWindow
}

// FormatDay formats the local date of t as "Tuesday 8 December".
func FormatDay(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Monday 2 January")
}

// FormatClock formats the local time of t as "3:00 pm".
func FormatClock(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("3:04 pm")
}

// FormatWhen formats t as "Tuesday 8 December, 3:00 pm" in loc.
func FormatWhen(t time.Time, loc *time.Location) string {
	return FormatDay(t, loc) + ", " + FormatClock(t, loc)
}

// Describe formats an appointment for a patient, as "Tuesday 8 December, 3:00 pm with
// Dr Anh Nguyen (gp), 15 minutes".
func Describe(start, end time.Time, p Practitioner, specialty string, loc *time.Location) string {
	minutes := int(end.Sub(start) / time.Minute)
	who := p.DisplayName
	if specialty != "" {
		who += " (" + specialty + ")"
	}
	return fmt.Sprintf("%s with %s, %d minutes", FormatWhen(start, loc), who, minutes)
}
