// Command turns measures conversation turns per second through the engine against a real
// PostgreSQL database, with median and p99 turn latency, at several concurrency levels.
// Each simulated chat enrols a patient (15 turns) and then greets the bot until its share
// of turns is done. It creates and drops its own database in the cluster at DATABASE_URL.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/internal/db"
	"github.com/pakenham-health/pms/nlu"
)

func main() {
	turns := flag.Int("turns", 3000, "turns to run at each concurrency level")
	levels := flag.String("concurrency", "1,32", "comma-separated numbers of concurrent chats")
	lookup := flag.Bool("lookup-intents", false, "replace the rule-based classifier with a table lookup of the same answers, to measure what classification adds to a turn")
	flag.Parse()
	if err := run(*turns, *levels, *lookup); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(turns int, levels string, lookup bool) error {
	ctx := context.Background()
	admin := os.Getenv("DATABASE_URL")
	if admin == "" {
		return fmt.Errorf("DATABASE_URL is not set; run `make bench`")
	}
	pool, cleanup, err := freshDatabase(ctx, admin)
	if err != nil {
		return err
	}
	defer cleanup()
	loc, err := time.LoadLocation("Australia/Melbourne")
	if err != nil {
		return err
	}
	var classifier bot.Classifier = nlu.NewRouter(nlu.NewRules(nil), nil, nil)
	if lookup {
		classifier, err = newLookupClassifier(classifier, loc)
		if err != nil {
			return err
		}
	}
	engine := bot.NewEngine(pool, bot.Config{Location: loc, Logger: slog.New(slog.DiscardHandler), Classifier: classifier})
	fmt.Printf("%-12s %8s %12s %12s %12s\n", "concurrency", "turns", "turns/s", "median", "p99")
	for _, field := range strings.Split(levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n < 1 {
			return fmt.Errorf("invalid concurrency %q", field)
		}
		r, err := measure(ctx, engine, n, turns)
		if err != nil {
			return err
		}
		fmt.Printf("%-12d %8d %12.0f %12s %12s\n", n, r.turns, r.perSecond, r.median.Round(time.Microsecond), r.p99.Round(time.Microsecond))
	}
	return nil
}

// lookupClassifier returns answers computed in advance by another classifier, so a turn
// pays only for a map lookup.
type lookupClassifier map[string]nlu.Result

func newLookupClassifier(c bot.Classifier, loc *time.Location) (lookupClassifier, error) {
	table := lookupClassifier{}
	for _, text := range append(enrolment, "hello") {
		result, err := c.Classify(context.Background(), nlu.Request{Text: text, Now: time.Now(), Location: loc})
		if err != nil {
			return nil, err
		}
		table[text] = result
	}
	return table, nil
}

func (l lookupClassifier) Classify(_ context.Context, req nlu.Request) (nlu.Result, error) {
	return l[req.Text], nil
}

// enrolment is one patient's enrolment, message by message.
var enrolment = []string{"hi", "enrol", "yes", "Bench", "Patient", "skip", "14/03/1990", "skip",
	"0412 345 678", "skip", "skip", "skip", "yes"}

type result struct {
	turns       int
	perSecond   float64
	median, p99 time.Duration
}

func measure(ctx context.Context, engine *bot.Engine, chats, turns int) (result, error) {
	run := randomID()
	perChat := max(turns/chats, 1)
	latencies := make([][]time.Duration, chats)
	errs := make(chan error, chats)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range chats {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chatID := fmt.Sprintf("%s-%d", run, c)
			for i := range perChat {
				text := "hello"
				if i < len(enrolment) {
					text = enrolment[i]
				}
				in := bot.Inbound{Channel: "bench", ChatID: chatID, UserID: chatID, Kind: bot.KindText,
					Text: text, MessageID: fmt.Sprintf("%s-%d", chatID, i)}
				began := time.Now()
				if _, err := engine.Handle(ctx, in); err != nil {
					errs <- err
					return
				}
				latencies[c] = append(latencies[c], time.Since(began))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return result{}, err
	}
	all := slices.Concat(latencies...)
	slices.Sort(all)
	return result{
		turns:     len(all),
		perSecond: float64(len(all)) / elapsed.Seconds(),
		median:    all[len(all)/2],
		p99:       all[len(all)*99/100],
	}, nil
}

// freshDatabase creates a migrated database for the run and returns a cleanup that drops it.
func freshDatabase(ctx context.Context, admin string) (*pgxpool.Pool, func(), error) {
	name := "pms_bench_" + randomID()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to DATABASE_URL: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, nil, fmt.Errorf("create benchmark database: %w", err)
	}
	cfg, err := pgxpool.ParseConfig(admin)
	if err != nil {
		return nil, nil, err
	}
	cfg.ConnConfig.Database = name
	cfg.MaxConns = 40
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	drop := func() {
		pool.Close()
		if c, err := pgx.Connect(context.Background(), admin); err == nil {
			_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(context.Background())
		}
	}
	if _, err := db.Migrate(ctx, pool); err != nil {
		drop()
		return nil, nil, err
	}
	return pool, drop, nil
}

func randomID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
