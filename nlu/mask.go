package nlu

import (
	"regexp"
	"strings"
	"unicode"
)

// Placeholders that replace personal details before text leaves the process.
const (
	maskEmail  = "[email]"
	maskNumber = "[number]"
	maskName   = "[name]"
)

var (
	emailRegexp = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	// digitRunRegexp finds runs of digits joined by spaces, hyphens, dots or brackets, the
	// way people write phone and Medicare numbers (0412 345 678, (03) 5940 1234,
	// 2123 45670 1, +61 412-345-678).
	digitRunRegexp = regexp.MustCompile(`\+?\(?\d[\d \-.()]*\d`)
	// dateLikeRegexp matches a run that is a date, which is kept so the LLM can read it.
	dateLikeRegexp = regexp.MustCompile(`^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-.]\d{1,2}[-.]\d{2,4})$`)
)

// minMaskedDigits is the fewest digits in a run that is masked: Australian phone numbers
// have 8 (local) to 11 (+61) digits and Medicare numbers 10 or 11, while times and dates
// written with spaces stay shorter.
const minMaskedDigits = 8

// MaskPersonal replaces email addresses, phone and Medicare numbers and the given names in
// text with placeholders. Names match whole words, ignoring case.
func MaskPersonal(text string, names []string) string {
	text = emailRegexp.ReplaceAllString(text, maskEmail)
	text = digitRunRegexp.ReplaceAllStringFunc(text, maskDigitRun)
	for _, name := range names {
		text = maskWord(text, name)
	}
	return text
}

func maskDigitRun(run string) string {
	trimmed := strings.Trim(run, " -.()")
	if dateLikeRegexp.MatchString(trimmed) {
		return run
	}
	digits := 0
	for _, r := range run {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	if digits < minMaskedDigits {
		return run
	}
	return maskNumber
}

// maskWord replaces every whole-word, case-insensitive occurrence of each word of name.
func maskWord(text, name string) string {
	for _, part := range strings.Fields(name) {
		if len([]rune(part)) < 2 {
			continue
		}
		re, err := regexp.Compile(`(?i)\b` + regexp.QuoteMeta(part) + `\b`)
		if err != nil {
			continue
		}
		text = re.ReplaceAllString(text, maskName)
	}
	return text
}
