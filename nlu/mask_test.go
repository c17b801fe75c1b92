package nlu

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMaskPersonalRemovesDetails(t *testing.T) {
	t.Parallel()
	text := "I'm Jane Citizen, call 0412 345 678 or (03) 5940 1234 or +61 412-345-678, " +
		"email jane.citizen@example.com.au, medicare 2123 45670 1, ref 2123456701"
	masked := MaskPersonal(text, []string{"Jane Citizen"})

	for _, secret := range []string{"Jane", "Citizen", "0412", "345 678", "5940", "412-345", "example.com", "jane.citizen", "2123", "45670"} {
		assert.NotContains(t, masked, secret)
	}
	assert.Contains(t, masked, maskName)
	assert.Contains(t, masked, maskEmail)
	assert.Contains(t, masked, maskNumber)
}

func TestMaskPersonalKeepsDatesAndTimes(t *testing.T) {
	t.Parallel()
	text := "book me 25/12/2026 or 2026-12-25 or 25-12-2026 at 3:15 pm, room 12"
	assert.Equal(t, text, MaskPersonal(text, nil))
}

func TestMaskPersonalNamesAreWholeWords(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "[name] wants Alfred's slot", MaskPersonal("Al wants Alfred's slot", []string{"al"}))
}
