package records

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	valid := map[string]string{
		"0412 345 678":      "+61412345678",
		"0412-345-678":      "+61412345678",
		"+61 412 345 678":   "+61412345678",
		"+61 (0)412 345678": "+61412345678",
		"61412345678":       "+61412345678",
		"(03) 5941 1234":    "+61359411234",
		"02 9876 5432":      "+61298765432",
	}
	for in, want := range valid {
		got, err := NormalizePhone("phone", in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "hello", "041234567", "04123456789", "1300 123 456", "1800 123 456", "13 11 14", "+1 415 555 0100", "0512 345 678", "0412 345 67a"} {
		_, err := NormalizePhone("phone", in)
		assert.Error(t, err, in)
	}
}

func TestFormatPhone(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "0412 345 678", FormatPhone("+61412345678"))
	assert.Equal(t, "(03) 5941 1234", FormatPhone("+61359411234"))
}

func TestParseMedicare(t *testing.T) {
	t.Parallel()
	number, irn, err := ParseMedicare("2123 45670 1")
	require.NoError(t, err)
	assert.Equal(t, "2123456701", number)
	assert.Equal(t, 0, irn)

	number, irn, err = ParseMedicare("21234567013")
	require.NoError(t, err)
	assert.Equal(t, "2123456701", number)
	assert.Equal(t, 3, irn)

	cases := map[string]string{
		"2123456711":   "doesn't check out",
		"212345670":    "I counted 9",
		"1123456701":   "starts with a digit from 2 to 6",
		"2123 4567O 1": "digits only",
		"2123456700":   "issue number",
		"21234567010":  "reference number",
	}
	for in, msg := range cases {
		_, _, err := ParseMedicare(in)
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), msg, in)
	}
}

func TestNormalizeName(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"Chloé", "O'Brien-Smith", "_under_*score*", "<b>Mia</b>", "Nguyễn Thị 🌸", "李小龙", "Aroha"} {
		got, err := NormalizeName("given_name", "  "+in+" ")
		require.NoError(t, err, in)
		assert.Equal(t, in, got)
	}
	for _, in := range []string{"", "   ", "12345", "🙂🙂", "line\nbreak", string(make([]rune, 101))} {
		_, err := NormalizeName("given_name", in)
		assert.Error(t, err, in)
	}
}

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	got, err := NormalizeEmail("Alex.Example@Example.COM")
	require.NoError(t, err)
	assert.Equal(t, "Alex.Example@example.com", got)
	for _, in := range []string{"alex", "alex@", "alex@example", "Alex <alex@example.com>", "a@b.", "two@@example.com"} {
		_, err := NormalizeEmail(in)
		assert.Error(t, err, in)
	}
}

func TestValidIHI(t *testing.T) {
	t.Parallel()
	base := "800360123456789"
	valid := base + string(luhnDigit(base))
	assert.True(t, ValidIHI(valid))
	assert.False(t, ValidIHI(base+string('0'+(luhnDigit(base)-'0'+1)%10)))
	assert.False(t, ValidIHI("8003601234"))
	assert.False(t, ValidIHI("9003601234567890"))
}

func TestFormatMRNHasCheckDigit(t *testing.T) {
	t.Parallel()
	mrn := FormatMRN(100001)
	assert.Equal(t, "P0100001", mrn[:8])
	assert.Len(t, mrn, 9)
	assert.True(t, luhnValid(mrn[1:]))
}

func TestCheckBirthDate(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	assert.NoError(t, CheckBirthDate(time.Date(1980, 12, 25, 0, 0, 0, 0, time.UTC), today))
	assert.NoError(t, CheckBirthDate(today, today))
	assert.Error(t, CheckBirthDate(today.AddDate(0, 0, 1), today))
	assert.Error(t, CheckBirthDate(time.Date(1890, 1, 1, 0, 0, 0, 0, time.UTC), today))
}
