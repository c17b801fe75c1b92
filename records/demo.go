package records

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// demoPatients are made-up people for demonstrations and trials. Their mobile numbers come
// from the 0491 570 block that the Australian Communications and Media Authority lists for
// use in fiction, so a demo never texts a real person.
var demoPatients = []Patient{
	{GivenName: "Olivia", FamilyName: "Demoson", BirthDate: time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC), Phone: "+61491570156", Email: "olivia@example.com"},
	{GivenName: "Jack", FamilyName: "Sampleton", PreferredName: "Jacko", BirthDate: time.Date(1972, 11, 3, 0, 0, 0, 0, time.UTC), Phone: "+61491570157", MedicareNumber: "3950123491", MedicareIRN: 1},
	{GivenName: "Mei", FamilyName: "Testwood", BirthDate: time.Date(2001, 7, 28, 0, 0, 0, 0, time.UTC), Phone: "+61491570158", Gender: "woman"},
	{GivenName: "Ari", FamilyName: "Placeholder", BirthDate: time.Date(1958, 2, 19, 0, 0, 0, 0, time.UTC), Phone: "+61491570159", EmergencyContactName: "Noor Placeholder", EmergencyContactPhone: "+61491570110"},
}

// DemoChannel is the channel of the demo patients' accounts; nothing is ever sent on it.
const DemoChannel = "demo"

// SeedDemo adds the demo patients that are not there yet and returns how many it added.
// Each is linked to a "demo" account, which is how a repeat run finds them.
func SeedDemo(ctx context.Context, q Querier, now time.Time) (int, error) {
	added := 0
	for i, p := range demoPatients {
		account := Account{Channel: DemoChannel, ID: fmt.Sprintf("demo-%d", i+1)}
		_, err := ByAccount(ctx, q, account)
		if err == nil {
			continue
		}
		if !errors.Is(err, ErrNotFound) {
			return added, err
		}
		p.ConsentAt, p.ConsentVersion = now, ConsentVersion
		if _, err := Create(ctx, q, &p, account); err != nil {
			return added, fmt.Errorf("seed demo patient %d: %w", i+1, err)
		}
		added++
	}
	return added, nil
}
