package nlu

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// When is a booking expression resolved against the current instant in the clinic's zone.
type When struct {
	Date    time.Time // midnight local time; zero when no date was given
	HasDate bool
	// Until is the last day of a range ("next week" is Monday to Sunday), midnight local
	// time; zero when Date is a single day.
	Until     time.Time
	Time      string // HH:MM on a 24-hour clock, "" when none was given
	PartOfDay string // PartMorning, PartAfternoon, PartEvening or ""
}

const monthPattern = `(january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug|september|sept|sep|october|oct|november|nov|december|dec)`

const weekdayPattern = `(monday|mon|tuesday|tues|tue|wednesday|weds|wed|thursday|thurs|thur|thu|friday|fri|saturday|sat|sunday|sun)`

const numberWordPattern = `(\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)`

const hourPattern = `(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)`

var (
	isoDateRegexp      = regexp.MustCompile(`\b(\d{4})-(\d{1,2})-(\d{1,2})\b`)
	slashDateRegexp    = regexp.MustCompile(`\b(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?\b`)
	dashDateRegexp     = regexp.MustCompile(`\b(\d{1,2})[-.](\d{1,2})[-.](\d{4}|\d{2})\b`)
	dayMonthRegexp     = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)?(?: of)? ` + monthPattern + `\b(?:,? (\d{4})\b)?`)
	monthDayRegexp     = regexp.MustCompile(`\b` + monthPattern + ` (\d{1,2})(?:st|nd|rd|th)?\b(?:,? (\d{4})\b)?`)
	ordinalDayRegexp   = regexp.MustCompile(`\b(?:the|on) (\d{1,2})(st|nd|rd|th)\b`)
	inPeriodRegexp     = regexp.MustCompile(`\bin ` + numberWordPattern + ` (days?|weeks?|fortnights?)\b`)
	inFortnightRegexp  = regexp.MustCompile(`\bin a fortnight\b`)
	weekRegexp         = regexp.MustCompile(`\b(next|this|the coming|coming) (week|weekend)\b`)
	holidayRegexp      = regexp.MustCompile(`\b(christmas day|christmas|xmas day|xmas|boxing day|new year'?s day|new year'?s eve|new year'?s|australia day|anzac day)\b`)
	yesterdayRegexp    = regexp.MustCompile(`\b(yesterday|yday|yesterdy)\b`)
	dayAfterRegexp     = regexp.MustCompile(`\bday after (tomorrow|tmrw|tmr|tomoz|tomorow|tommorow|tommorrow|2moro)\b`)
	tomorrowRegexp     = regexp.MustCompile(`\b(tomorrow|tmrw|tmr|tomoz|tomorow|tommorow|tommorrow|tomorro|2moro|2morrow)\b`)
	todayRegexp        = regexp.MustCompile(`\b(today|tonight|tonite|this (morning|afternoon|arvo|evening|avo))\b`)
	weekdayRegexp      = regexp.MustCompile(`\b(?:(next|this|coming|this coming|on|by|until|till|til) )?` + weekdayPattern + `\b( (?:arvo|avo|morning|afternoon|evening|night|at|\d))?`)
	clockTimeRegexp    = regexp.MustCompile(`\b(\d{1,2})[:.](\d{2}) ?(am|pm|a\.m\.|p\.m\.)?`)
	hourAmPmRegexp     = regexp.MustCompile(`\b(\d{1,2}) ?(am|pm|a\.m\.|p\.m\.)`)
	halfPastRegexp     = regexp.MustCompile(`\bhalf ` + `(?:past )?` + hourPattern + `\b`)
	quarterRegexp      = regexp.MustCompile(`\bquarter (past|to|after) ` + hourPattern + `\b`)
	oClockRegexp       = regexp.MustCompile(`\b` + hourPattern + ` ?o'? ?clock\b`)
	atHourRegexp       = regexp.MustCompile(`\b(?:at|around|about|from|after|before) ` + hourPattern + `\b`)
	noonRegexp         = regexp.MustCompile(`\b(noon|midday|12 noon)\b`)
	morningRegexp      = regexp.MustCompile(`\b(morning|mornin|morn|in the am|brekkie time)\b`)
	afternoonRegexp    = regexp.MustCompile(`\b(afternoon|arvo|avo|after lunch|aftenoon|afternon)\b`)
	eveningRegexp      = regexp.MustCompile(`\b(evening|tonight|tonite|at night|after work|after dinner)\b`)
	whenPunctuationMap = strings.NewReplacer("’", "'", "‘", "'", ",", " ", "!", " ", "?", " ", ";", " ", "(", " ", ")", " ")
)

var numberWords = map[string]int{
	"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

var weekdays = map[string]time.Weekday{
	"monday": time.Monday, "mon": time.Monday,
	"tuesday": time.Tuesday, "tues": time.Tuesday, "tue": time.Tuesday,
	"wednesday": time.Wednesday, "weds": time.Wednesday, "wed": time.Wednesday,
	"thursday": time.Thursday, "thurs": time.Thursday, "thur": time.Thursday, "thu": time.Thursday,
	"friday": time.Friday, "fri": time.Friday,
	"saturday": time.Saturday, "sat": time.Saturday,
	"sunday": time.Sunday, "sun": time.Sunday,
}

// ParseWhen reads a date, a time and a part of the day from a booking message, relative to
// now in loc. A weekday name, with or without "this", means the next such day, today
// included, and "next Friday" is the Friday of the following Monday-to-Sunday week.
// Day-first dates without a year mean the next such date, so 3/1 in December is next
// January. A date or time that cannot exist (31/02, 25:00) returns an *InputError
// wrapping ErrImpossibleDate or ErrImpossibleTime, never a guess.
func ParseWhen(text string, now time.Time, loc *time.Location) (When, error) {
	if loc == nil {
		loc = now.Location()
	}
	now = now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	lowered := " " + strings.ToLower(whenPunctuationMap.Replace(text)) + " "

	var when When
	date, rest, found, err := findDate(lowered, today)
	if err != nil {
		return When{}, err
	}
	if found {
		when.Date, when.HasDate = date, true
	} else if start, until, span := findWeek(lowered, today); span != nil {
		when.Date, when.Until, when.HasDate = start, until, true
		rest = lowered[:span[0]] + strings.Repeat(" ", span[1]-span[0]) + lowered[span[1]:]
	}

	when.PartOfDay = findPartOfDay(lowered)
	clock, err := findTime(rest, when.PartOfDay)
	if err != nil {
		return When{}, err
	}
	when.Time = clock
	return when, nil
}

// findDate returns the first date expression in text, and text with that expression
// blanked out so its digits are not read again as a time.
func findDate(text string, today time.Time) (time.Time, string, bool, error) {
	finders := []func(string, time.Time) (time.Time, []int, error){
		findISODate, findNumericDate, findMonthNameDate, findHoliday, findRelativeDate, findWeekday, findOrdinalDay,
	}
	for _, find := range finders {
		date, span, err := find(text, today)
		if err != nil {
			return time.Time{}, text, false, err
		}
		if span != nil {
			rest := text[:span[0]] + strings.Repeat(" ", span[1]-span[0]) + text[span[1]:]
			return date, rest, true, nil
		}
	}
	return time.Time{}, text, false, nil
}

func findISODate(text string, today time.Time) (time.Time, []int, error) {
	m := isoDateRegexp.FindStringSubmatchIndex(text)
	if m == nil {
		return time.Time{}, nil, nil
	}
	year, month, day := atoi(text[m[2]:m[3]]), atoi(text[m[4]:m[5]]), atoi(text[m[6]:m[7]])
	date, ok := validDate(year, month, day, today.Location())
	if !ok {
		return time.Time{}, nil, impossibleDate(day, month, year)
	}
	return date, m[:2], nil
}

func findNumericDate(text string, today time.Time) (time.Time, []int, error) {
	m := slashDateRegexp.FindStringSubmatchIndex(text)
	if m == nil {
		m = dashDateRegexp.FindStringSubmatchIndex(text)
	}
	if m == nil {
		return time.Time{}, nil, nil
	}
	day, month := atoi(text[m[2]:m[3]]), atoi(text[m[4]:m[5]])
	year := 0
	if m[6] >= 0 {
		year = expandYear(text[m[6]:m[7]])
	}
	date, err := resolveDayMonth(day, month, year, today)
	if err != nil {
		return time.Time{}, nil, err
	}
	return date, m[:2], nil
}

func findMonthNameDate(text string, today time.Time) (time.Time, []int, error) {
	dayGroup, monthGroup := 1, 2
	m := dayMonthRegexp.FindStringSubmatchIndex(text)
	if m == nil {
		dayGroup, monthGroup = 2, 1
		m = monthDayRegexp.FindStringSubmatchIndex(text)
	}
	if m == nil {
		return time.Time{}, nil, nil
	}
	day := atoi(text[m[2*dayGroup]:m[2*dayGroup+1]])
	month := monthNumber(text[m[2*monthGroup]:m[2*monthGroup+1]])
	year := 0
	if m[6] >= 0 {
		year = atoi(text[m[6]:m[7]])
	}
	date, err := resolveDayMonth(day, month, year, today)
	if err != nil {
		return time.Time{}, nil, err
	}
	return date, m[:2], nil
}

// resolveDayMonth checks a day-first date; without a year it is the next such date on or
// after today.
func resolveDayMonth(day, month, year int, today time.Time) (time.Time, error) {
	if year != 0 {
		date, ok := validDate(year, month, day, today.Location())
		if !ok {
			return time.Time{}, impossibleDate(day, month, year)
		}
		return date, nil
	}
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, impossibleDate(day, month, 0)
	}
	year = today.Year()
	if month < int(today.Month()) || (month == int(today.Month()) && day < today.Day()) {
		year++
	}
	date, ok := validDate(year, month, day, today.Location())
	if !ok {
		if month == 2 && day == 29 {
			return time.Time{}, impossibleDate(day, month, year)
		}
		return time.Time{}, impossibleDate(day, month, 0)
	}
	return date, nil
}

// findWeek reads "next week" (the following Monday to Sunday), "this week" (today to
// Sunday) and the same for "weekend" (Saturday and Sunday).
func findWeek(text string, today time.Time) (time.Time, time.Time, []int) {
	m := weekRegexp.FindStringSubmatchIndex(text)
	if m == nil {
		return time.Time{}, time.Time{}, nil
	}
	next := text[m[2]:m[3]] == "next"
	monday := today.AddDate(0, 0, -mondayIndex(today.Weekday()))
	if next {
		monday = monday.AddDate(0, 0, 7)
	}
	start, until := monday, monday.AddDate(0, 0, 6)
	if text[m[4]:m[5]] == "weekend" {
		start = monday.AddDate(0, 0, 5)
	}
	if start.Before(today) {
		start = today
	}
	return start, until, m[:2]
}

// fixedHolidays are the public holidays (and eves) that fall on the same date every year,
// as day and month.
var fixedHolidays = map[string][2]int{
	"christmas day": {25, 12}, "christmas": {25, 12}, "xmas day": {25, 12}, "xmas": {25, 12},
	"boxing day": {26, 12}, "new years day": {1, 1}, "new years": {1, 1}, "new years eve": {31, 12},
	"australia day": {26, 1}, "anzac day": {25, 4},
}

// findHoliday reads a fixed-date holiday name as its next date, today included.
func findHoliday(text string, today time.Time) (time.Time, []int, error) {
	m := holidayRegexp.FindStringSubmatchIndex(text)
	if m == nil {
		return time.Time{}, nil, nil
	}
	dm := fixedHolidays[strings.ReplaceAll(text[m[2]:m[3]], "'", "")]
	date, err := resolveDayMonth(dm[0], dm[1], 0, today)
	return date, m[:2], err
}

func findRelativeDate(text string, today time.Time) (time.Time, []int, error) {
	if m := yesterdayRegexp.FindStringIndex(text); m != nil {
		return today.AddDate(0, 0, -1), m, nil
	}
	if m := dayAfterRegexp.FindStringIndex(text); m != nil {
		return today.AddDate(0, 0, 2), m, nil
	}
	if m := inFortnightRegexp.FindStringIndex(text); m != nil {
		return today.AddDate(0, 0, 14), m, nil
	}
	if m := inPeriodRegexp.FindStringSubmatchIndex(text); m != nil {
		count := numberValue(text[m[2]:m[3]])
		unit := text[m[4]:m[5]]
		days := count
		switch {
		case strings.HasPrefix(unit, "week"):
			days = 7 * count
		case strings.HasPrefix(unit, "fortnight"):
			days = 14 * count
		}
		return today.AddDate(0, 0, days), m[:2], nil
	}
	if m := tomorrowRegexp.FindStringIndex(text); m != nil {
		return today.AddDate(0, 0, 1), m, nil
	}
	if m := todayRegexp.FindStringIndex(text); m != nil {
		return today, m, nil
	}
	return time.Time{}, nil, nil
}

func findWeekday(text string, today time.Time) (time.Time, []int, error) {
	for _, m := range weekdayRegexp.FindAllStringSubmatchIndex(text, -1) {
		modifier := ""
		if m[2] >= 0 {
			modifier = text[m[2]:m[3]]
		}
		name := text[m[4]:m[5]]
		// "sat" and "sun" are also ordinary words, so they need a word around them that
		// marks a day ("on sat", "sun arvo").
		if (name == "sat" || name == "sun") && modifier == "" && m[6] < 0 {
			continue
		}
		return weekdayDate(today, weekdays[name], modifier), []int{m[0], m[5]}, nil
	}
	return time.Time{}, nil, nil
}

// weekdayDate resolves a weekday name with an optional "this" or "next".
func weekdayDate(today time.Time, day time.Weekday, modifier string) time.Time {
	ahead := (int(day) - int(today.Weekday()) + 7) % 7
	upcoming := today.AddDate(0, 0, ahead)
	switch modifier {
	case "next":
		// The same weekday in the following Monday-to-Sunday week.
		startOfNextWeek := today.AddDate(0, 0, 7-mondayIndex(today.Weekday()))
		return startOfNextWeek.AddDate(0, 0, mondayIndex(day))
	default:
		return upcoming
	}
}

// mondayIndex counts days from Monday: Monday is 0 and Sunday is 6.
func mondayIndex(day time.Weekday) int {
	return (int(day) + 6) % 7
}

func findOrdinalDay(text string, today time.Time) (time.Time, []int, error) {
	m := ordinalDayRegexp.FindStringSubmatchIndex(text)
	if m == nil {
		return time.Time{}, nil, nil
	}
	day := atoi(text[m[2]:m[3]])
	if day < 1 || day > 31 {
		return time.Time{}, nil, impossibleDate(day, int(today.Month()), 0)
	}
	// The next month, starting with this one, that has this day and where it has not passed.
	for offset := 0; offset < 3; offset++ {
		first := time.Date(today.Year(), today.Month()+time.Month(offset), 1, 0, 0, 0, 0, today.Location())
		date, ok := validDate(first.Year(), int(first.Month()), day, today.Location())
		if ok && !date.Before(today) {
			return date, m[:2], nil
		}
	}
	return time.Time{}, nil, impossibleDate(day, int(today.Month()), 0)
}

func findPartOfDay(text string) string {
	switch {
	case eveningRegexp.MatchString(text):
		return PartEvening
	case afternoonRegexp.MatchString(text):
		return PartAfternoon
	case morningRegexp.MatchString(text):
		return PartMorning
	}
	return ""
}

// findTime returns the first time of day in text as HH:MM. An hour given without am or pm
// is read with the part of day when there is one, and otherwise as clinic hours: 7 to 11
// are morning, 12 to 6 are afternoon.
func findTime(text, partOfDay string) (string, error) {
	if m := clockTimeRegexp.FindStringSubmatch(text); m != nil {
		return clockTime(m[0], atoi(m[1]), atoi(m[2]), m[3], partOfDay)
	}
	if m := hourAmPmRegexp.FindStringSubmatch(text); m != nil {
		return clockTime(m[0], atoi(m[1]), 0, m[2], partOfDay)
	}
	if m := quarterRegexp.FindStringSubmatch(text); m != nil {
		hour, minute := numberValue(m[2]), 15
		if m[1] == "to" {
			hour, minute = hour-1, 45
			if hour == 0 {
				hour = 12
			}
		}
		return clockTime(m[0], hour, minute, "", partOfDay)
	}
	if m := halfPastRegexp.FindStringSubmatch(text); m != nil {
		return clockTime(m[0], numberValue(m[1]), 30, "", partOfDay)
	}
	if noonRegexp.MatchString(text) {
		return "12:00", nil
	}
	if m := oClockRegexp.FindStringSubmatch(text); m != nil {
		return clockTime(m[0], numberValue(m[1]), 0, "", partOfDay)
	}
	if m := atHourRegexp.FindStringSubmatch(text); m != nil {
		hour := numberValue(m[1])
		if hour > 12 && hour <= 23 {
			return fmt.Sprintf("%02d:00", hour), nil
		}
		return clockTime(m[0], hour, 0, "", partOfDay)
	}
	return "", nil
}

func clockTime(raw string, hour, minute int, meridiem, partOfDay string) (string, error) {
	meridiem = strings.ReplaceAll(meridiem, ".", "")
	if minute > 59 {
		return "", impossibleTime(strings.TrimSpace(raw))
	}
	switch meridiem {
	case "am", "pm":
		if hour < 1 || hour > 12 {
			return "", impossibleTime(strings.TrimSpace(raw))
		}
		hour %= 12
		if meridiem == "pm" {
			hour += 12
		}
	default:
		if hour > 23 {
			return "", impossibleTime(strings.TrimSpace(raw))
		}
		if hour >= 1 && hour <= 11 {
			hour = guessHalfOfDay(hour, partOfDay)
		}
	}
	return fmt.Sprintf("%02d:%02d", hour, minute), nil
}

func guessHalfOfDay(hour int, partOfDay string) int {
	switch partOfDay {
	case PartMorning:
		return hour
	case PartAfternoon, PartEvening:
		return hour + 12
	}
	if hour <= 6 {
		return hour + 12
	}
	return hour
}

func monthNumber(name string) int {
	for month := time.January; month <= time.December; month++ {
		if strings.HasPrefix(strings.ToLower(month.String()), name[:3]) {
			return int(month)
		}
	}
	return 0
}

func expandYear(text string) int {
	year := atoi(text)
	if len(text) == 2 {
		year += 2000
	}
	return year
}

func numberValue(text string) int {
	if n, ok := numberWords[text]; ok {
		return n
	}
	return atoi(text)
}

// atoi converts digits the regular expressions have already matched.
func atoi(text string) int {
	n, err := strconv.Atoi(text)
	if err != nil {
		return 0
	}
	return n
}
