package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=..."; otherwise it comes
// from the build's VCS information when there is any.
var version = ""

func runVersion(_ context.Context, args []string) error {
	fs := newFlagSet("version", "version", nil)
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	fmt.Fprintln(os.Stdout, "pms", versionString())
	return nil
}

func versionString() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev-" + s.Value[:12]
		}
	}
	return "dev"
}
