package booking

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// CalendarEvent is the content of an .ics file for one appointment.
type CalendarEvent struct {
	AppointmentID int64
	Version       int
	Start, End    time.Time
	Summary       string
	Location      string
	Description   string
	Cancelled     bool
	// Stamp is when the file is produced (DTSTAMP).
	Stamp time.Time
}

// icsDomain makes UIDs globally unique, as RFC 5545 section 3.8.4.7 recommends.
const icsDomain = "pms.pakenham-health.org.au"

// ICS returns an iCalendar (RFC 5545) file with one event. Times are written in UTC with
// the Z suffix, lines end in CRLF and are folded at 75 octets without splitting a UTF-8
// character. The UID stays the same across versions of one appointment and SEQUENCE
// counts its changes, so calendar apps update the event instead of adding a second one.
func ICS(ev CalendarEvent) []byte {
	method, status := "PUBLISH", "CONFIRMED"
	if ev.Cancelled {
		method, status = "CANCEL", "CANCELLED"
	}
	lines := []string{
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//Pakenham Health//pms//EN",
		"CALSCALE:GREGORIAN",
		"METHOD:" + method,
		"BEGIN:VEVENT",
		fmt.Sprintf("UID:appointment-%d@%s", ev.AppointmentID, icsDomain),
		"SEQUENCE:" + fmt.Sprint(max(ev.Version-1, 0)),
		"DTSTAMP:" + icsTime(ev.Stamp),
		"DTSTART:" + icsTime(ev.Start),
		"DTEND:" + icsTime(ev.End),
		"SUMMARY:" + icsText(ev.Summary),
	}
	if ev.Location != "" {
		lines = append(lines, "LOCATION:"+icsText(ev.Location))
	}
	if ev.Description != "" {
		lines = append(lines, "DESCRIPTION:"+icsText(ev.Description))
	}
	lines = append(lines, "STATUS:"+status, "END:VEVENT", "END:VCALENDAR")

	var b strings.Builder
	for _, l := range lines {
		b.WriteString(foldLine(l))
	}
	return []byte(b.String())
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsText escapes a TEXT value (RFC 5545 section 3.3.11).
func icsText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}

// foldLine ends a content line with CRLF, splitting it so no line exceeds 75 octets. A
// continuation line starts with one space, which counts towards its 75.
func foldLine(line string) string {
	const maxOctets = 75
	var b strings.Builder
	limit := maxOctets
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = maxOctets - 1
	}
	b.WriteString(line)
	b.WriteString("\r\n")
	return b.String()
}
