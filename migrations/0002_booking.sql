-- Booking: practitioners, availability, appointment types, appointments, the waitlist and
-- waitlist offers.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE practitioners (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code             text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9_-]*$'),
    display_name     text NOT NULL CHECK (display_name <> ''),
    specialties      text[] NOT NULL CHECK (cardinality(specialties) > 0),
    default_minutes  integer NOT NULL CHECK (default_minutes BETWEEN 5 AND 240),
    slack_user_id    text,
    active           boolean NOT NULL DEFAULT true
);

CREATE INDEX practitioners_specialties ON practitioners USING gin (specialties);

-- Appointment lengths are configuration: rows here, not constants in code.
CREATE TABLE appointment_types (
    code          text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9_-]*$'),
    display_name  text NOT NULL CHECK (display_name <> ''),
    minutes       integer NOT NULL CHECK (minutes BETWEEN 5 AND 240),
    specialty     text
);

INSERT INTO appointment_types (code, display_name, minutes, specialty) VALUES
    ('standard', 'Standard consult', 15, NULL),
    ('long', 'Long consult', 30, NULL),
    ('psychology-first', 'First psychology session', 50, 'psychologist');

-- Weekly sessions in clinic local time. weekday counts from 0 = Sunday, as Go's
-- time.Weekday does.
CREATE TABLE availability_templates (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    practitioner_id  bigint NOT NULL REFERENCES practitioners (id) ON DELETE CASCADE,
    weekday          smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_time       time NOT NULL,
    end_time         time NOT NULL CHECK (end_time > start_time),
    reason           text NOT NULL DEFAULT ''
);

CREATE INDEX availability_templates_practitioner ON availability_templates (practitioner_id);

-- Breaks within a template, in local time. They may overlap each other.
CREATE TABLE availability_breaks (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    template_id  bigint NOT NULL REFERENCES availability_templates (id) ON DELETE CASCADE,
    start_time   time NOT NULL,
    end_time     time NOT NULL CHECK (end_time > start_time)
);

CREATE INDEX availability_breaks_template ON availability_breaks (template_id);

-- Leave, closures, public holidays and extra sessions over absolute spans, which may
-- cross days. A NULL practitioner means the whole clinic.
CREATE TABLE availability_exceptions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    practitioner_id  bigint REFERENCES practitioners (id) ON DELETE CASCADE,
    kind             text NOT NULL CHECK (kind IN ('leave', 'closure', 'holiday', 'extra')),
    during           tstzrange NOT NULL CHECK (NOT isempty(during) AND lower_inc(during) AND NOT upper_inc(during)),
    reason           text NOT NULL CHECK (reason <> ''),
    CHECK (kind IN ('closure', 'holiday') OR practitioner_id IS NOT NULL)
);

CREATE INDEX availability_exceptions_during ON availability_exceptions USING gist (practitioner_id, during);

-- Statuses are FHIR R4 Appointment.status codes. Every status except cancelled, noshow,
-- entered-in-error and waitlist holds its time, and the two exclusion constraints make
-- the database reject a second appointment that overlaps it for the same practitioner or
-- the same patient. A 'proposed' row is the hold behind an open waitlist offer.
CREATE TABLE appointments (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id        bigint NOT NULL REFERENCES patients (id),
    practitioner_id   bigint NOT NULL REFERENCES practitioners (id),
    appointment_type  text NOT NULL REFERENCES appointment_types (code),
    specialty         text NOT NULL,
    during            tstzrange NOT NULL CHECK (NOT isempty(during) AND lower_inc(during) AND NOT upper_inc(during)),
    status            text NOT NULL CHECK (status IN ('proposed', 'pending', 'booked', 'arrived',
                          'fulfilled', 'cancelled', 'noshow', 'entered-in-error', 'checked-in', 'waitlist')),
    version           integer NOT NULL DEFAULT 1 CHECK (version > 0),
    cancelled_late    boolean NOT NULL DEFAULT false,
    late_reschedules  integer NOT NULL DEFAULT 0,
    cancelled_by      text CHECK (cancelled_by IN ('patient', 'clinic')),
    cancel_reason     text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT appointments_practitioner_overlap EXCLUDE USING gist (practitioner_id WITH =, during WITH &&)
        WHERE (status NOT IN ('cancelled', 'noshow', 'entered-in-error', 'waitlist')),
    CONSTRAINT appointments_patient_overlap EXCLUDE USING gist (patient_id WITH =, during WITH &&)
        WHERE (status NOT IN ('cancelled', 'noshow', 'entered-in-error', 'waitlist'))
);

CREATE INDEX appointments_during ON appointments USING gist (during);
CREATE INDEX appointments_patient ON appointments (patient_id, lower(during));

-- Every booking, reschedule and cancellation, with whether it was late, for attendance.
CREATE TABLE appointment_changes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    appointment_id  bigint NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    version         integer NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('booked', 'rescheduled', 'cancelled')),
    late            boolean NOT NULL,
    old_during      tstzrange,
    at              timestamptz NOT NULL,
    UNIQUE (appointment_id, version)
);

CREATE TABLE waitlist_entries (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id        bigint NOT NULL REFERENCES patients (id),
    specialty         text,
    practitioner_id   bigint REFERENCES practitioners (id),
    appointment_type  text NOT NULL REFERENCES appointment_types (code),
    earliest          date,
    latest            date,
    parts_of_day      text[] NOT NULL DEFAULT '{}',
    -- FHIR Communication priority codes; stat is the most urgent.
    priority          text NOT NULL DEFAULT 'routine' CHECK (priority IN ('routine', 'urgent', 'asap', 'stat')),
    status            text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'offered', 'booked', 'left')),
    joined_at         timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (specialty IS NOT NULL OR practitioner_id IS NOT NULL),
    CHECK (earliest IS NULL OR latest IS NULL OR earliest <= latest)
);

CREATE INDEX waitlist_entries_waiting ON waitlist_entries (joined_at) WHERE status = 'waiting';
CREATE UNIQUE INDEX waitlist_entries_one_open ON waitlist_entries (patient_id, coalesce(specialty, ''), coalesce(practitioner_id, 0))
    WHERE status IN ('waiting', 'offered');

-- An offer holds its slot through a 'proposed' appointment until it is answered, expires
-- or is withdrawn. The exclusion constraint allows one active offer per practitioner and
-- span, and the unique index one active offer per waitlist entry.
CREATE TABLE waitlist_offers (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_id          bigint NOT NULL REFERENCES waitlist_entries (id),
    patient_id        bigint NOT NULL REFERENCES patients (id),
    practitioner_id   bigint NOT NULL REFERENCES practitioners (id),
    appointment_id    bigint REFERENCES appointments (id) ON DELETE SET NULL,
    during            tstzrange NOT NULL,
    status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'accepted', 'declined', 'expired', 'withdrawn')),
    offered_at        timestamptz NOT NULL,
    expires_at        timestamptz NOT NULL CHECK (expires_at > offered_at),
    closed_at         timestamptz,
    CONSTRAINT waitlist_offers_one_per_slot EXCLUDE USING gist (practitioner_id WITH =, during WITH &&)
        WHERE (status = 'active')
);

CREATE UNIQUE INDEX waitlist_offers_one_per_entry ON waitlist_offers (entry_id) WHERE status = 'active';
CREATE INDEX waitlist_offers_active_expiry ON waitlist_offers (expires_at) WHERE status = 'active';
CREATE INDEX waitlist_offers_patient ON waitlist_offers (patient_id, practitioner_id);
