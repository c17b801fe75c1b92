package records

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ValidationError is an invalid value, with a sentence fit to show the person who typed it.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Message }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// MaxNameLength is the longest name, in characters, that a name field accepts.
const MaxNameLength = 100

// NormalizeName trims a name and checks it is a plausible name: 1 to 100 characters, at
// least one letter, no line breaks or control characters. It keeps every other character
// exactly as typed (emoji, Markdown and HTML characters, any script), because names are
// stored and shown as the patient wrote them.
func NormalizeName(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalid(field, "Please type a name; it can't be blank.")
	}
	if n := utf8.RuneCountInString(s); n > MaxNameLength {
		return "", invalid(field, "That's %d characters; please keep a name to %d or fewer.", n, MaxNameLength)
	}
	hasLetter := false
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", invalid(field, "Please type the name on one line.")
		}
		if unicode.IsLetter(r) {
			hasLetter = true
		}
	}
	if !hasLetter {
		return "", invalid(field, "A name needs at least one letter.")
	}
	return s, nil
}

// NormalizePhone turns an Australian phone number as people type it (0412 345 678,
// +61 412 345 678, (03) 5941 1234, 61412345678) into E.164 (+61412345678). Mobile and
// geographic numbers are accepted; 13, 1300 and 1800 numbers are not, because they do not
// reach a person.
func NormalizePhone(field, s string) (string, error) {
	digits := strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' || r == '+':
			return -1
		}
		return 'x'
	}, strings.TrimSpace(s))
	if strings.Contains(digits, "x") || digits == "" {
		return "", invalid(field, "Please type an Australian phone number using digits, like 0412 345 678.")
	}
	plus := strings.HasPrefix(strings.TrimSpace(s), "+")
	switch {
	case strings.HasPrefix(digits, "61") && (plus || len(digits) == 11):
		digits = digits[2:]
		digits = strings.TrimPrefix(digits, "0") // +61 (0)412 ...
	case plus:
		return "", invalid(field, "Please give an Australian number (starting 04, 02, 03, 07, 08 or +61).")
	case strings.HasPrefix(digits, "0"):
		digits = digits[1:]
	case strings.HasPrefix(digits, "13") || strings.HasPrefix(digits, "18"):
		return "", invalid(field, "13, 1300 and 1800 numbers can't reach you directly. Please give a mobile or landline number, like 0412 345 678.")
	default:
		return "", invalid(field, "Please include the area code or mobile prefix, like 0412 345 678 or 03 5941 1234.")
	}
	if len(digits) != 9 {
		return "", invalid(field, "An Australian phone number has 10 digits, like 0412 345 678.")
	}
	switch digits[0] {
	case '2', '3', '4', '7', '8':
	default:
		return "", invalid(field, "That doesn't look like a mobile or landline number; please give one starting 04, 02, 03, 07 or 08.")
	}
	return "+61" + digits, nil
}

// FormatPhone shows an E.164 Australian number the way Australians write it.
func FormatPhone(e164 string) string {
	national := "0" + strings.TrimPrefix(e164, "+61")
	if len(national) != 10 {
		return e164
	}
	if national[1] == '4' {
		return national[:4] + " " + national[4:7] + " " + national[7:]
	}
	return "(" + national[:2] + ") " + national[2:6] + " " + national[6:]
}

// NormalizeEmail checks an email address has one @ and a domain with a dot, and lower-cases
// the domain.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return "", invalid("email", "That doesn't look like an email address; please type it like name@example.com.")
	}
	local, domain, _ := strings.Cut(s, "@")
	if local == "" || !strings.Contains(domain, ".") || strings.HasSuffix(domain, ".") || len(s) > 254 {
		return "", invalid("email", "That email address is missing part of the domain; please type it like name@example.com.")
	}
	return local + "@" + strings.ToLower(domain), nil
}

// medicareWeights are the weights of the first eight digits in the Medicare check digit.
var medicareWeights = [8]int{1, 3, 7, 9, 1, 3, 7, 9}

// ParseMedicare checks a Medicare card number as typed (spaces allowed). The card number
// has 10 digits: eight identifying digits starting 2 to 6, a check digit (the weighted
// sum of the first eight, modulo 10) and the card issue number. An 11th digit, if given,
// is the individual reference number (IRN, 1 to 9) of the person on the card; irn is 0
// when it was not given.
func ParseMedicare(s string) (number string, irn int, err error) {
	digits := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '/' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	for _, r := range digits {
		if r < '0' || r > '9' {
			return "", 0, invalid("medicare", "A Medicare number is digits only, like 2123 45670 1.")
		}
	}
	if len(digits) != 10 && len(digits) != 11 {
		return "", 0, invalid("medicare", "A Medicare number has 10 digits (11 with your reference number); I counted %d.", len(digits))
	}
	if digits[0] < '2' || digits[0] > '6' {
		return "", 0, invalid("medicare", "A Medicare number starts with a digit from 2 to 6; please check the card.")
	}
	sum := 0
	for i, w := range medicareWeights {
		sum += int(digits[i]-'0') * w
	}
	if sum%10 != int(digits[8]-'0') {
		return "", 0, invalid("medicare", "That Medicare number doesn't check out; please check the digits on the card.")
	}
	if digits[9] == '0' {
		return "", 0, invalid("medicare", "The issue number (10th digit) can't be 0; please check the card.")
	}
	if len(digits) == 11 {
		irn, err = ParseIRN(digits[10:])
		if err != nil {
			return "", 0, err
		}
	}
	return digits[:10], irn, nil
}

// ParseIRN checks a Medicare individual reference number: one digit from 1 to 9, shown
// beside the person's name on the card.
func ParseIRN(s string) (int, error) {
	s = strings.TrimSpace(s)
	if len(s) != 1 || s[0] < '1' || s[0] > '9' {
		return 0, invalid("medicare_irn", "Your reference number is the single digit (1 to 9) beside your name on the card.")
	}
	return int(s[0] - '0'), nil
}

// ValidIHI reports whether s is a well-formed individual healthcare identifier: 16 digits,
// starting 800360, with a valid Luhn check digit.
func ValidIHI(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) != 16 || !strings.HasPrefix(s, "800360") {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return luhnValid(s)
}

func luhnValid(s string) bool {
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// luhnDigit returns the check digit that makes s followed by it pass the Luhn check.
func luhnDigit(s string) byte {
	for d := byte('0'); d <= '9'; d++ {
		if luhnValid(s + string(d)) {
			return d
		}
	}
	panic("unreachable: some Luhn digit always fits")
}

// CheckBirthDate rejects a date of birth in the future or more than 130 years ago, judged
// against today in the clinic's zone.
func CheckBirthDate(birth, today time.Time) error {
	b := civil(birth)
	t := civil(today)
	if b.After(t) {
		return &ValidationError{Field: "birth_date", Message: "That date is in the future; please type your date of birth, like 25/12/1980."}
	}
	if b.Before(t.AddDate(-130, 0, 0)) {
		return &ValidationError{Field: "birth_date", Message: "That's more than 130 years ago; please check the year."}
	}
	return nil
}

func civil(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
