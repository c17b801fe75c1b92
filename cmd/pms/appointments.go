package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/robfig/cron/v3"

	"github.com/pakenham-health/pms/booking"
	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/internal/clock"
	"github.com/pakenham-health/pms/internal/config"
	"github.com/pakenham-health/pms/records"
)

// newBookingStore returns the appointment store configured from cfg.
func newBookingStore(cfg *config.Config, pool *pgxpool.Pool, logger *slog.Logger) (*booking.Store, error) {
	defaults, err := booking.DefaultConfig()
	if err != nil {
		return nil, err
	}
	defaults.Location = cfg.Location
	defaults.MinNotice, defaults.LateWindow, defaults.OfferHold = cfg.MinNotice, cfg.LateWindow, cfg.OfferHold
	return booking.NewStore(pool, clock.System{}, defaults, logger)
}

// job is one scheduled job: how often it runs, how long one run may take, and the work,
// which returns how many things it changed.
type job struct {
	name    string
	spec    string
	timeout time.Duration
	run     func(ctx context.Context) (int64, error)
}

// startJobs runs the scheduled jobs of the engine until ctx ends. Every 30 seconds it
// closes expired waitlist offers and passes their slots on. Every 5 minutes it offers free
// times (new sessions, say) to patients still waiting. Every hour it deletes unfinished
// forms from chats idle for two weeks. Jobs run in the clinic's zone. With
// several replicas every one schedules the jobs, and an advisory lock lets one run each
// tick while the others skip it. The returned function waits for a running job to finish.
func startJobs(ctx context.Context, cfg *config.Config, engine *bot.Engine, logger *slog.Logger) func() {
	jobs := []job{
		{name: "expire_offers", spec: "@every 30s", timeout: 25 * time.Second, run: func(ctx context.Context) (int64, error) {
			n, err := engine.ExpireOffers(ctx)
			return int64(n), err
		}},
		{name: "offer_open_slots", spec: "@every 5m", timeout: 4 * time.Minute, run: func(ctx context.Context) (int64, error) {
			n, err := engine.OfferOpenSlots(ctx)
			return int64(n), err
		}},
		{name: "purge_stale_drafts", spec: "@every 1h", timeout: 5 * time.Minute, run: engine.PurgeStaleDrafts},
	}
	scheduler := cron.New(cron.WithLocation(cfg.Location), cron.WithChain(cron.Recover(cron.DiscardLogger)))
	for _, j := range jobs {
		_, err := scheduler.AddFunc(j.spec, func() {
			jobCtx, cancel := context.WithTimeout(ctx, j.timeout)
			defer cancel()
			changed, err := j.run(jobCtx)
			if err != nil && ctx.Err() == nil {
				logger.Error("job_failed", "job", j.name, "error", err)
				return
			}
			if changed > 0 {
				logger.Info("job_done", "job", j.name, "changed", changed)
			}
		})
		if err != nil {
			logger.Error("schedule_job_failed", "job", j.name, "error", err)
		}
	}
	scheduler.Start()
	return func() { <-scheduler.Stop().Done() }
}

func runAppointments(ctx context.Context, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		args = []string{"list", "-h"}
	}
	if len(args) == 0 {
		return fmt.Errorf("expected `pms appointments list --date D` or `pms appointments cancel-day ...`")
	}
	switch args[0] {
	case "list":
		return listAppointments(ctx, args[1:])
	case "cancel-day":
		return cancelDay(ctx, args[1:])
	}
	return fmt.Errorf("unknown appointments command %q; expected list or cancel-day", args[0])
}

func listAppointments(ctx context.Context, args []string) error {
	fs := newFlagSet("appointments", "appointments list --date D [--practitioner CODE]  |  appointments cancel-day --practitioner CODE --date D --reason TEXT", nil)
	dateText := fs.String("date", "today", "the day: today, tomorrow, yesterday, 25/12, 25/12/2026 or 2026-12-25")
	code := fs.String("practitioner", "", "only this practitioner's code, such as nguyen")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	cfg, pool, err := openCurrentDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	day, err := parseDay(*dateText, cfg.Location)
	if err != nil {
		return err
	}
	store, err := newBookingStore(cfg, pool, newLogger(cfg.LogLevel))
	if err != nil {
		return err
	}
	var practitionerID int64
	if *code != "" {
		if practitionerID, err = practitionerByCode(ctx, store, *code); err != nil {
			return err
		}
	}
	entries, err := store.DayList(ctx, day, practitionerID)
	if err != nil {
		return err
	}
	if err := labelPatients(ctx, pool, entries); err != nil {
		return err
	}
	return booking.FormatDayList(os.Stdout, day, cfg.Location, entries)
}

// labelPatients names each patient by MRN and name for reception, and writes each read to
// the audit log, as every staff read of a record is.
func labelPatients(ctx context.Context, pool *pgxpool.Pool, entries []booking.DayListEntry) error {
	actor := "cli:" + defaultChatUser()
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for i := range entries {
			id := entries[i].Appointment.PatientID
			p, err := records.ByID(ctx, tx, id)
			if err != nil {
				return err
			}
			entries[i].Patient = fmt.Sprintf("%s %s %s", p.MRN, p.GivenName, p.FamilyName)
			detail := map[string]any{"appointment_id": entries[i].Appointment.ID, "command": "appointments list"}
			if err := records.Audit(ctx, tx, actor, "patient.read", id, detail); err != nil {
				return err
			}
		}
		return nil
	})
}

func cancelDay(ctx context.Context, args []string) error {
	fs := newFlagSet("appointments", "appointments cancel-day --practitioner CODE --date D --reason TEXT", nil)
	dateText := fs.String("date", "", "the day to cancel: today, tomorrow, 25/12/2026 or 2026-12-25")
	code := fs.String("practitioner", "", "the practitioner's code, such as nguyen")
	reason := fs.String("reason", "", "why, for the record (patients are told the practitioner can't see them)")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	var missing []string
	for flagName, value := range map[string]string{"--practitioner": *code, "--date": *dateText, "--reason": *reason} {
		if strings.TrimSpace(value) == "" {
			missing = append(missing, flagName)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("cancel-day: missing %s; run `pms appointments cancel-day -h` for usage", strings.Join(missing, ", "))
	}
	cfg, pool, err := openCurrentDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	day, err := parseDay(*dateText, cfg.Location)
	if err != nil {
		return err
	}
	logger := newLogger(cfg.LogLevel)
	store, err := newBookingStore(cfg, pool, logger)
	if err != nil {
		return err
	}
	practitionerID, err := practitionerByCode(ctx, store, *code)
	if err != nil {
		return err
	}
	engine := bot.NewEngine(pool, bot.Config{Location: cfg.Location, Logger: logger, ClinicName: cfg.ClinicName, ClinicPhone: cfg.ClinicPhone, Booking: store})
	n, err := engine.CancelPractitionerDay(ctx, practitionerID, day, *reason)
	if errors.Is(err, booking.ErrTooSoon) {
		return fmt.Errorf("%s on %s has already passed; only today or a later day can be cancelled", *code, day)
	}
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintf(os.Stdout, "%s had no booked appointments on %s to cancel; the day is now blocked for new bookings\n", *code, day)
		return nil
	}
	fmt.Fprintf(os.Stdout, "cancelled %s of %s on %s; each patient is told through the outbox (a running `pms serve` sends the messages)\n",
		plural(n, "appointment"), *code, day)
	return nil
}

// plural writes a count with its noun, adding "s" unless the count is one.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func practitionerByCode(ctx context.Context, store *booking.Store, code string) (int64, error) {
	all, err := store.Practitioners(ctx, "")
	if err != nil {
		return 0, err
	}
	var codes []string
	for _, p := range all {
		if strings.EqualFold(p.Code, code) {
			return p.ID, nil
		}
		codes = append(codes, p.Code)
	}
	return 0, fmt.Errorf("no practitioner with code %q; known codes: %s", code, strings.Join(codes, ", "))
}

// parseDay reads a day as an operator types it, in the clinic's zone.
func parseDay(text string, loc *time.Location) (booking.Date, error) {
	today := booking.DateOf(time.Now(), loc)
	switch strings.ToLower(strings.TrimSpace(text)) {
	case "today":
		return today, nil
	case "tomorrow":
		return today.AddDays(1), nil
	case "yesterday":
		return today.AddDays(-1), nil
	}
	for _, layout := range []string{"2/1/2006", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, text, loc); err == nil {
			return booking.DateOf(t, loc), nil
		}
	}
	// A day and month alone mean this year's date.
	if t, err := time.ParseInLocation("2/1", text, loc); err == nil {
		return booking.Date{Year: today.Year, Month: t.Month(), Day: t.Day()}, nil
	}
	return booking.Date{}, fmt.Errorf("invalid date %q: expected today, tomorrow, yesterday, 25/12, 25/12/2026 or 2026-12-25 (a real date)", text)
}

func runPractitioners(ctx context.Context, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		args = []string{"import", "-h"}
	}
	if len(args) == 0 || args[0] != "import" {
		return fmt.Errorf("expected `pms practitioners import FILE`")
	}
	fs := newFlagSet("practitioners", "practitioners import FILE.csv", []string{"DATABASE_URL", "PMS_TIMEZONE"})
	if err := parseFlags(fs, args[1:], 1); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("expected one CSV file, such as booking/demo.csv")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	cfg, pool, err := openCurrentDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	store, err := newBookingStore(cfg, pool, newLogger(cfg.LogLevel))
	if err != nil {
		return err
	}
	if err := store.ImportCSV(ctx, f); err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	fmt.Fprintf(os.Stdout, "imported practitioners and availability from %s\n", fs.Arg(0))
	clashes, err := store.ClashesWithClosures(ctx)
	if err != nil {
		return err
	}
	if len(clashes) > 0 {
		verb := "fall"
		if len(clashes) == 1 {
			verb = "falls"
		}
		fmt.Fprintf(os.Stdout, "\nWarning: %s now %s in leave, a closure or a holiday. The patients have not been told.\n"+
			"Cancel each day with `pms appointments cancel-day --practitioner CODE --date D --reason TEXT`, which tells them.\n",
			plural(len(clashes), "booked appointment"), verb)
		for _, e := range clashes {
			fmt.Fprintf(os.Stdout, "  %s  %s  appointment %d\n", booking.FormatWhen(e.Appointment.Start, cfg.Location), e.Practitioner, e.Appointment.ID)
		}
	}
	return nil
}
