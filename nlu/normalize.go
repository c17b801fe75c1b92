package nlu

import (
	"strings"
	"unicode"
)

// normalize lower-cases text, drops apostrophes (so "can't" becomes "cant"), turns every
// other character that is not a letter or digit into a space, collapses runs of spaces and
// pads the result with one space at each end, so phrases can be matched as " word ".
func normalize(text string) string {
	var b strings.Builder
	b.Grow(len(text) + 2)
	b.WriteByte(' ')
	space := true
	for _, r := range text {
		switch {
		case r == '\'' || r == '’' || r == '‘' || r == '`':
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	if !space {
		b.WriteByte(' ')
	}
	return b.String()
}
