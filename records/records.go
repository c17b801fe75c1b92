// Package records stores patients, the chat accounts linked to them and the audit log of
// staff reads, and validates what patients type into their records.
package records

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var (
	// ErrNotFound reports a patient or account that does not exist.
	ErrNotFound = errors.New("patient not found")
	// ErrConflict reports a chat account that is already linked to a patient.
	ErrConflict = errors.New("chat account already linked to a patient")
	// ErrDuplicateMedicare reports a Medicare number and reference number that are
	// already on another patient's record.
	ErrDuplicateMedicare = errors.New("medicare number and reference number already on another record")
)

// ConsentVersion names the wording of the consent question patients agree to at enrolment.
// Change it whenever that wording changes, so each record shows what was agreed to.
const ConsentVersion = "2026-12-v1"

// Patient is one enrolled person.
type Patient struct {
	ID                    int64
	MRN                   string
	GivenName             string
	FamilyName            string
	PreferredName         string
	BirthDate             time.Time
	Gender                string
	Phone                 string // E.164
	Email                 string
	MedicareNumber        string
	MedicareIRN           int
	EmergencyContactName  string
	EmergencyContactPhone string // E.164
	ConsentAt             time.Time
	ConsentVersion        string
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

// CallName is the name to greet the patient by: the preferred name if given.
func (p *Patient) CallName() string {
	if p.PreferredName != "" {
		return p.PreferredName
	}
	return p.GivenName
}

// Account is a chat identity: a channel ("telegram", "console") and the user id there.
type Account struct {
	Channel string
	ID      string
}

// Querier is what the store needs from a pool, a connection or a transaction.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

const patientColumns = `id, mrn, given_name, family_name, coalesce(preferred_name, ''), birth_date,
	coalesce(gender, ''), phone, coalesce(email, ''), coalesce(medicare_number, ''),
	coalesce(medicare_irn, 0), coalesce(emergency_contact_name, ''),
	coalesce(emergency_contact_phone, ''), consent_at, consent_version, created_at, updated_at`

func scanPatient(row pgx.Row) (*Patient, error) {
	var p Patient
	var irn int16
	err := row.Scan(&p.ID, &p.MRN, &p.GivenName, &p.FamilyName, &p.PreferredName, &p.BirthDate,
		&p.Gender, &p.Phone, &p.Email, &p.MedicareNumber, &irn, &p.EmergencyContactName,
		&p.EmergencyContactPhone, &p.ConsentAt, &p.ConsentVersion, &p.CreatedAt, &p.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	p.MedicareIRN = int(irn)
	return &p, nil
}

// Create inserts a new patient linked to account, generating the MRN. It returns
// ErrConflict when the account is already linked to a patient, so one chat account never
// enrols twice, and ErrDuplicateMedicare when the Medicare number and reference number are
// on another record. It never matches or merges with an existing record. It runs in its
// own transaction, or in a savepoint when q is a transaction, so after an error the
// caller's transaction is still usable.
func Create(ctx context.Context, q Querier, p *Patient, account Account) (*Patient, error) {
	starter, ok := q.(interface {
		Begin(ctx context.Context) (pgx.Tx, error)
	})
	if !ok {
		return create(ctx, q, p, account)
	}
	var created *Patient
	err := pgx.BeginFunc(ctx, starter, func(sp pgx.Tx) error {
		var err error
		created, err = create(ctx, sp, p, account)
		return err
	})
	return created, err
}

func create(ctx context.Context, q Querier, p *Patient, account Account) (*Patient, error) {
	var seq int64
	if err := q.QueryRow(ctx, "SELECT nextval('patient_mrn_seq')").Scan(&seq); err != nil {
		return nil, fmt.Errorf("create patient: next MRN: %w", err)
	}
	mrn := FormatMRN(seq)
	row := q.QueryRow(ctx, `INSERT INTO patients (mrn, given_name, family_name, preferred_name, birth_date,
		gender, phone, email, medicare_number, medicare_irn, emergency_contact_name,
		emergency_contact_phone, consent_at, consent_version)
		VALUES ($1, $2, $3, nullif($4, ''), $5, nullif($6, ''), $7, nullif($8, ''), nullif($9, ''),
		nullif($10, 0)::smallint, nullif($11, ''), nullif($12, ''), $13, $14)
		RETURNING `+patientColumns,
		mrn, p.GivenName, p.FamilyName, p.PreferredName, p.BirthDate, p.Gender, p.Phone, p.Email,
		p.MedicareNumber, p.MedicareIRN, p.EmergencyContactName, p.EmergencyContactPhone,
		p.ConsentAt, p.ConsentVersion)
	created, err := scanPatient(row)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.ConstraintName == "patients_medicare_unique" {
		return nil, fmt.Errorf("create patient: %w", ErrDuplicateMedicare)
	}
	if err != nil {
		return nil, fmt.Errorf("create patient: %w", err)
	}
	_, err = q.Exec(ctx, `INSERT INTO patient_accounts (channel, account_id, patient_id) VALUES ($1, $2, $3)`,
		account.Channel, account.ID, created.ID)
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return nil, fmt.Errorf("create patient for %s account: %w", account.Channel, ErrConflict)
	}
	if err != nil {
		return nil, fmt.Errorf("link %s account to patient %d: %w", account.Channel, created.ID, err)
	}
	if err := Audit(ctx, q, account.Channel+":"+account.ID, "patient.enrol", created.ID, nil); err != nil {
		return nil, err
	}
	return created, nil
}

// FormatMRN turns a sequence number into a medical record number: "P", seven digits and a
// Luhn check digit, so a mistyped MRN is caught.
func FormatMRN(seq int64) string {
	digits := fmt.Sprintf("%07d", seq)
	return "P" + digits + string(luhnDigit(digits))
}

// MedicareInUse reports whether a patient record already has this Medicare number and
// individual reference number.
func MedicareInUse(ctx context.Context, q Querier, number string, irn int) (bool, error) {
	var used bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM patients WHERE medicare_number = $1 AND medicare_irn = $2)`,
		number, irn).Scan(&used)
	if err != nil {
		return false, fmt.Errorf("check medicare number: %w", err)
	}
	return used, nil
}

// ByAccount returns the patient linked to a chat account, or ErrNotFound.
func ByAccount(ctx context.Context, q Querier, account Account) (*Patient, error) {
	row := q.QueryRow(ctx, `SELECT `+patientColumns+` FROM patients
		WHERE id = (SELECT patient_id FROM patient_accounts WHERE channel = $1 AND account_id = $2)`,
		account.Channel, account.ID)
	p, err := scanPatient(row)
	if err != nil {
		return nil, fmt.Errorf("find patient by %s account: %w", account.Channel, err)
	}
	return p, nil
}

// ByID returns one patient, or ErrNotFound.
func ByID(ctx context.Context, q Querier, id int64) (*Patient, error) {
	p, err := scanPatient(q.QueryRow(ctx, `SELECT `+patientColumns+` FROM patients WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("find patient %d: %w", id, err)
	}
	return p, nil
}

// AccountsOf returns the chat accounts linked to a patient.
func AccountsOf(ctx context.Context, q Querier, patientID int64) ([]Account, error) {
	rows, err := q.Query(ctx, `SELECT channel, account_id FROM patient_accounts WHERE patient_id = $1 ORDER BY channel`, patientID)
	if err != nil {
		return nil, fmt.Errorf("list accounts of patient %d: %w", patientID, err)
	}
	accounts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Account, error) {
		var a Account
		err := row.Scan(&a.Channel, &a.ID)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("list accounts of patient %d: %w", patientID, err)
	}
	return accounts, nil
}

// UpdatePhone stores a new E.164 phone number for a patient.
func UpdatePhone(ctx context.Context, q Querier, patientID int64, phone, actor string) error {
	return updateField(ctx, q, patientID, "phone", phone, actor)
}

// UpdateEmail stores a new email address for a patient; an empty address removes it.
func UpdateEmail(ctx context.Context, q Querier, patientID int64, email, actor string) error {
	return updateField(ctx, q, patientID, "email", email, actor)
}

// updateField sets one column; column is always a constant from this package.
func updateField(ctx context.Context, q Querier, patientID int64, column, value, actor string) error {
	tag, err := q.Exec(ctx, `UPDATE patients SET `+column+` = nullif($2, ''), updated_at = now() WHERE id = $1`, patientID, value)
	if err != nil {
		return fmt.Errorf("update %s of patient %d: %w", column, patientID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("update %s of patient %d: %w", column, patientID, ErrNotFound)
	}
	return Audit(ctx, q, actor, "patient.update."+column, patientID, nil)
}

// Audit writes one audit log entry. detail must hold ids and field names, never personal
// data.
func Audit(ctx context.Context, q Querier, actor, action string, patientID int64, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	body, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("encode audit detail: %w", err)
	}
	var pid any
	if patientID != 0 {
		pid = patientID
	}
	_, err = q.Exec(ctx, `INSERT INTO audit_log (actor, action, patient_id, detail) VALUES ($1, $2, $3, $4)`,
		actor, action, pid, body)
	if err != nil {
		return fmt.Errorf("write audit log %s: %w", action, err)
	}
	return nil
}
