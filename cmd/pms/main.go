// Command pms is the Smart Patient Management System: one binary with subcommands for the
// service, migrations, demo data and the terminal chat.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	// env lists the environment variables the command reads.
	env []string
	run func(ctx context.Context, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{name: "serve", summary: "run the service: Telegram (or the terminal chat), outbox, health endpoints", env: allVars, run: runServe},
		{name: "migrate", summary: "apply database migrations and print the schema version", env: []string{"DATABASE_URL"}, run: runMigrate},
		{name: "seed", summary: "load demo data (--demo): made-up patients and practitioners; safe to repeat", env: []string{"DATABASE_URL", "PMS_TIMEZONE"}, run: runSeed},
		{name: "nlu", summary: "classify text: `nlu classify [--now RFC3339] [TEXT...]` prints one JSON object per message", env: nluVars, run: runNLU},
		{name: "faq", summary: "load FAQ entries: `faq import FILE` replaces the stored FAQ with the file's entries", env: []string{"DATABASE_URL"}, run: runFAQ},
		{name: "appointments", summary: "staff lists: `appointments list --date D [--practitioner CODE]`; `appointments cancel-day` cancels a practitioner's day and tells patients", env: []string{"DATABASE_URL", "PMS_TIMEZONE"}, run: runAppointments},
		{name: "practitioners", summary: "`practitioners import FILE.csv` loads practitioners, weekly hours and exceptions", env: []string{"DATABASE_URL", "PMS_TIMEZONE"}, run: runPractitioners},
		{name: "chat", summary: "chat with the bot in this terminal as one patient", env: chatVars, run: runChat},
		{name: "version", summary: "print the version", run: runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return run(ctx, []string{args[1], "-h"}, stdout, stderr)
		}
		printHelp(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:])
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if errors.Is(err, errUsage) {
			// The flag package has already printed the problem and the usage.
			return 2
		}
		if err != nil {
			fmt.Fprintf(stderr, "pms %s: %v\n", c.name, err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "pms: unknown command %q; run `pms help` for the list\n", args[0])
	return 2
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, "pms: Smart Patient Management System\n\nUsage: pms COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun `pms COMMAND -h` for a command's flags and environment variables.\n\n")
	printEnv(w, allVars)
}

// errUsage reports command-line flags the flag package rejected and already explained.
var errUsage = errors.New("invalid usage")

// parseFlags parses args and rejects more than maxArgs positional arguments (-1 for any).
func parseFlags(fs *flag.FlagSet, args []string, maxArgs int) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if maxArgs >= 0 && fs.NArg() > maxArgs {
		return fmt.Errorf("unexpected argument %q; run `pms %s -h` for usage", fs.Arg(maxArgs), fs.Name())
	}
	return nil
}

// newFlagSet returns a flag set whose -h output lists the command's flags and variables.
func newFlagSet(name, usage string, env []string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: pms %s\n\n", usage)
		for _, c := range commands {
			if c.name == name {
				fmt.Fprintf(out, "%s\n\n", c.summary)
				env = c.env
			}
		}
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprint(out, "Flags:\n")
			fs.PrintDefaults()
			fmt.Fprintln(out)
		}
		printEnv(out, env)
	}
	return fs
}
