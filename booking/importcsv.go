package booking

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The practitioner import file is CSV with this header. The record column of each row
// gives its kind:
//
//	practitioner  code in practitioner, and name, specialties ("gp;nurse"), minutes
//	              (default appointment length) and an optional slack_user_id
//	template      a weekly session: days ("mon-fri" or "mon;wed"), start and end
//	              ("09:00"), optional breaks ("12:30-13:15;10:30-10:45")
//	leave, closure, holiday, extra
//	              an exception from and to, each "25/12/2026" (a whole day; to is
//	              inclusive) or "25/12/2026 13:00", with a reason. Closures and holidays
//	              leave practitioner empty to apply to the whole clinic.
//
// Times are clinic local time.
var importHeader = []string{"record", "practitioner", "name", "specialties", "minutes", "slack_user_id",
	"days", "start", "end", "breaks", "from", "to", "reason"}

// ImportError is a problem with one field of one line of an import file.
type ImportError struct {
	Line  int
	Field string
	Err   string
}

func (e *ImportError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Err)
	}
	return fmt.Sprintf("line %d, field %s: %s", e.Line, e.Field, e.Err)
}

// Unwrap makes every ImportError match ErrInvalid.
func (e *ImportError) Unwrap() error { return ErrInvalid }

// PractitionerImport is the parsed content of an import file.
type PractitionerImport struct {
	Practitioners []Practitioner
	// Templates and Exceptions name their practitioner by code.
	Templates  []ImportedTemplate
	Exceptions []ImportedException
}

// ImportedTemplate is a template row of an import file.
type ImportedTemplate struct {
	Line             int
	PractitionerCode string
	Template
}

// ImportedException is an exception row. An empty code means the whole clinic.
type ImportedException struct {
	Line             int
	PractitionerCode string
	Exception
}

// ParseImportCSV reads a practitioner import file. Local times resolve in loc. It reads
// the whole file and returns every problem found, joined, each an *ImportError naming the
// line and field.
func ParseImportCSV(r io.Reader, loc *time.Location) (PractitionerImport, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(importHeader)
	cr.TrimLeadingSpace = true
	cr.Comment = '#'

	var out PractitionerImport
	var problems []error
	header := true
	for {
		record, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		var parseErr *csv.ParseError
		if errors.As(err, &parseErr) {
			message := parseErr.Err.Error()
			if errors.Is(parseErr.Err, csv.ErrFieldCount) {
				message = fmt.Sprintf("has %d fields, want %d (%s)", len(record), len(importHeader), strings.Join(importHeader, ","))
			}
			problems = append(problems, &ImportError{Line: parseErr.Line, Err: message})
			if header {
				break
			}
			continue
		}
		if err != nil {
			return PractitionerImport{}, fmt.Errorf("read import file: %w", err)
		}
		if header {
			header = false
			if strings.Join(record, ",") != strings.Join(importHeader, ",") {
				problems = append(problems, &ImportError{Line: line, Err: "header must be " + strings.Join(importHeader, ",")})
				break
			}
			continue
		}
		row := importRow{line: line, fields: make(map[string]string, len(record))}
		for i, name := range importHeader {
			row.fields[name] = strings.TrimSpace(record[i])
		}
		row.parseInto(&out, loc)
		problems = append(problems, row.problems...)
	}
	if header && len(problems) == 0 {
		problems = append(problems, &ImportError{Line: 1, Err: "empty file: missing header"})
	}
	return out, errors.Join(problems...)
}

type importRow struct {
	line     int
	fields   map[string]string
	problems []error
}

func (r *importRow) fail(field, format string, args ...any) {
	r.problems = append(r.problems, &ImportError{Line: r.line, Field: field, Err: fmt.Sprintf(format, args...)})
}

var (
	codePattern      = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	specialtyPattern = regexp.MustCompile(`^[a-z][a-z -]*$`)
)

func (r *importRow) parseInto(out *PractitionerImport, loc *time.Location) {
	kind := r.fields["record"]
	code := r.fields["practitioner"]
	if code != "" && !codePattern.MatchString(code) {
		r.fail("practitioner", "invalid code %q: use lower-case letters, digits, - and _", code)
	}
	switch kind {
	case "practitioner":
		r.parsePractitioner(out, code)
	case "template":
		r.parseTemplate(out, code)
	case string(ExceptionLeave), string(ExceptionClosure), string(ExceptionHoliday), string(ExceptionExtra):
		r.parseException(out, code, ExceptionKind(kind), loc)
	default:
		r.fail("record", "unknown record %q: want practitioner, template, leave, closure, holiday or extra", kind)
	}
}

func (r *importRow) parsePractitioner(out *PractitionerImport, code string) {
	p := Practitioner{Code: code, DisplayName: r.fields["name"], SlackUserID: r.fields["slack_user_id"], Active: true}
	if code == "" {
		r.fail("practitioner", "missing code")
	}
	if p.DisplayName == "" {
		r.fail("name", "missing display name")
	}
	for _, s := range strings.Split(r.fields["specialties"], ";") {
		s = strings.ToLower(strings.TrimSpace(s))
		if s == "" {
			continue
		}
		if !specialtyPattern.MatchString(s) {
			r.fail("specialties", "invalid specialty %q", s)
		}
		p.Specialties = append(p.Specialties, s)
	}
	if len(p.Specialties) == 0 {
		r.fail("specialties", "missing specialty: list one or more separated by ;")
	}
	minutes, err := strconv.Atoi(r.fields["minutes"])
	if err != nil || minutes < 5 || minutes > 240 {
		r.fail("minutes", "invalid default length %q: want whole minutes from 5 to 240", r.fields["minutes"])
	}
	p.DefaultMinutes = minutes
	out.Practitioners = append(out.Practitioners, p)
}

func (r *importRow) parseTemplate(out *PractitionerImport, code string) {
	if code == "" {
		r.fail("practitioner", "missing code")
	}
	days := r.parseDays(r.fields["days"])
	start, okStart := r.parseClock("start", r.fields["start"])
	end, okEnd := r.parseClock("end", r.fields["end"])
	if okStart && okEnd && end <= start {
		r.fail("end", "end %s is not after start %s", end, start)
	}
	var breaks []TimeSpan
	if r.fields["breaks"] != "" {
		for _, b := range strings.Split(r.fields["breaks"], ";") {
			from, to, found := strings.Cut(strings.TrimSpace(b), "-")
			bs, ok1 := r.parseClock("breaks", from)
			be, ok2 := r.parseClock("breaks", to)
			if !found || (ok1 && ok2 && be <= bs) {
				r.fail("breaks", "invalid break %q: want HH:MM-HH:MM with the end after the start", b)
				continue
			}
			breaks = append(breaks, TimeSpan{bs, be})
		}
	}
	for _, d := range days {
		out.Templates = append(out.Templates, ImportedTemplate{Line: r.line, PractitionerCode: code,
			Template: Template{Weekday: d, Start: start, End: end, Breaks: breaks}})
	}
}

func (r *importRow) parseException(out *PractitionerImport, code string, kind ExceptionKind, loc *time.Location) {
	if code == "" && (kind == ExceptionLeave || kind == ExceptionExtra) {
		r.fail("practitioner", "missing code: %s needs a practitioner", kind)
	}
	reason := r.fields["reason"]
	if reason == "" {
		r.fail("reason", "missing reason")
	}
	from, fromIsDate, okFrom := r.parseLocal("from", r.fields["from"], loc)
	toField := r.fields["to"]
	if toField == "" {
		toField = r.fields["from"]
	}
	to, toIsDate, okTo := r.parseLocal("to", toField, loc)
	if !okFrom || !okTo {
		return
	}
	if toIsDate {
		// A date alone as the end means the whole of that day.
		to = DateOf(to, loc).AddDays(1).At(0, loc)
	}
	if !to.After(from) {
		r.fail("to", "end %s is not after start", toField)
		return
	}
	if kind == ExceptionExtra && fromIsDate {
		r.fail("from", "an extra session needs a start time, as 12/12/2026 09:00")
	}
	out.Exceptions = append(out.Exceptions, ImportedException{Line: r.line, PractitionerCode: code,
		Exception: Exception{Kind: kind, Interval: Interval{from, to}, Reason: reason}})
}

var weekdayNames = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

func (r *importRow) parseDays(value string) []time.Weekday {
	var days []time.Weekday
	for _, part := range strings.Split(strings.ToLower(value), ";") {
		part = strings.TrimSpace(part)
		first, last, isRange := strings.Cut(part, "-")
		a, okA := weekdayNames[first]
		b, okB := weekdayNames[last]
		switch {
		case part == "":
			continue
		case !isRange && okA:
			days = append(days, a)
		case isRange && okA && okB:
			// A range runs forward through the week and may wrap past Saturday, so sat-sun,
			// sun-fri and fri-mon all read as written.
			for d := a; ; d = (d + 1) % 7 {
				days = append(days, d)
				if d == b {
					break
				}
			}
		default:
			r.fail("days", "invalid days %q: want names like mon, mon-fri or mon;wed", part)
		}
	}
	if len(days) == 0 && value == "" {
		r.fail("days", "missing days")
	}
	return days
}

func (r *importRow) parseClock(field, value string) (TimeOfDay, bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(value))
	if err != nil {
		r.fail(field, "invalid time %q: want 24-hour HH:MM", value)
		return 0, false
	}
	return At(t.Hour(), t.Minute()), true
}

// parseLocal reads "25/12/2026" or "25/12/2026 13:00" in loc and reports whether the
// value was a date alone.
func (r *importRow) parseLocal(field, value string, loc *time.Location) (time.Time, bool, bool) {
	if t, err := time.ParseInLocation("2/1/2006 15:04", value, loc); err == nil {
		return t, false, true
	}
	if t, err := time.ParseInLocation("2/1/2006", value, loc); err == nil {
		return t, true, true
	}
	r.fail(field, "invalid date %q: want day first, as 25/12/2026 or 25/12/2026 13:00", value)
	return time.Time{}, false, false
}

// ImportCSV reads a practitioner import file and applies it in one transaction. Nothing
// is written when any line has a problem: the error joins one *ImportError per problem.
// Practitioners are matched by code and updated. The weekly templates of each
// practitioner with template rows in the file replace their current templates.
// Exceptions already present are not added twice.
func (s *Store) ImportCSV(ctx context.Context, r io.Reader) error {
	_, err := inTx(ctx, s, func(tx pgx.Tx) (struct{}, error) { return struct{}{}, ImportCSVTx(ctx, tx, s.cfg.Location, r) })
	return err
}

// ImportCSVTx is ImportCSV inside the caller's transaction.
func ImportCSVTx(ctx context.Context, tx pgx.Tx, loc *time.Location, r io.Reader) error {
	data, err := ParseImportCSV(r, loc)
	if err != nil {
		return fmt.Errorf("import practitioners: %w", err)
	}
	if err := ApplyImport(ctx, tx, data); err != nil {
		return fmt.Errorf("import practitioners: %w", err)
	}
	return nil
}

// ApplyImport writes parsed import data.
func ApplyImport(ctx context.Context, tx pgx.Tx, data PractitionerImport) error {
	ids := make(map[string]int64)
	for _, p := range data.Practitioners {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO practitioners (code, display_name, specialties, default_minutes, slack_user_id, active)
			VALUES ($1, $2, $3, $4, nullif($5, ''), true)
			ON CONFLICT (code) DO UPDATE SET display_name = excluded.display_name, specialties = excluded.specialties,
				default_minutes = excluded.default_minutes, slack_user_id = excluded.slack_user_id, active = true
			RETURNING id`, p.Code, p.DisplayName, p.Specialties, p.DefaultMinutes, p.SlackUserID).Scan(&id)
		if err != nil {
			return fmt.Errorf("save practitioner %q: %w", p.Code, err)
		}
		ids[p.Code] = id
	}

	var problems []error
	lookup := func(line int, code string) int64 {
		if id, ok := ids[code]; ok || code == "" {
			return id
		}
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM practitioners WHERE code = $1`, code).Scan(&id)
		if err != nil {
			problems = append(problems, &ImportError{Line: line, Field: "practitioner", Err: fmt.Sprintf("unknown practitioner %q", code)})
			return 0
		}
		ids[code] = id
		return id
	}

	replaced := make(map[int64]bool)
	for _, t := range data.Templates {
		id := lookup(t.Line, t.PractitionerCode)
		if id == 0 {
			continue
		}
		if !replaced[id] {
			if _, err := tx.Exec(ctx, `DELETE FROM availability_templates WHERE practitioner_id = $1`, id); err != nil {
				return fmt.Errorf("replace templates of %q: %w", t.PractitionerCode, err)
			}
			replaced[id] = true
		}
		if err := insertTemplate(ctx, tx, id, t.Template); err != nil {
			return err
		}
	}
	for _, e := range data.Exceptions {
		id := lookup(e.Line, e.PractitionerCode)
		if id == 0 && e.PractitionerCode != "" {
			continue
		}
		if err := insertException(ctx, tx, id, e.Exception); err != nil {
			return err
		}
	}
	return errors.Join(problems...)
}

func insertTemplate(ctx context.Context, tx pgx.Tx, practitionerID int64, t Template) error {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO availability_templates (practitioner_id, weekday, start_time, end_time)
		VALUES ($1, $2, make_time($3, $4, 0), make_time($5, $6, 0)) RETURNING id`,
		practitionerID, int(t.Weekday), t.Start.Hour(), t.Start.Minute(), t.End.Hour(), t.End.Minute()).Scan(&id)
	if err != nil {
		return fmt.Errorf("save template of practitioner %d: %w", practitionerID, err)
	}
	for _, b := range t.Breaks {
		_, err := tx.Exec(ctx, `INSERT INTO availability_breaks (template_id, start_time, end_time)
			VALUES ($1, make_time($2, $3, 0), make_time($4, $5, 0))`, id, b.Start.Hour(), b.Start.Minute(), b.End.Hour(), b.End.Minute())
		if err != nil {
			return fmt.Errorf("save break of practitioner %d: %w", practitionerID, err)
		}
	}
	return nil
}

func insertException(ctx context.Context, tx pgx.Tx, practitionerID int64, e Exception) error {
	_, err := tx.Exec(ctx, `INSERT INTO availability_exceptions (practitioner_id, kind, during, reason)
		SELECT nullif($1, 0), $2, $3::tstzrange, $4
		WHERE NOT EXISTS (SELECT 1 FROM availability_exceptions
			WHERE practitioner_id IS NOT DISTINCT FROM nullif($1, 0) AND kind = $2 AND during = $3::tstzrange)`,
		practitionerID, e.Kind, tstzrange(e.Interval), e.Reason)
	if err != nil {
		return fmt.Errorf("save %s exception: %w", e.Kind, err)
	}
	return nil
}
