package nlu

import "time"

var melbourne = mustLoadLocation("Australia/Melbourne")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}
