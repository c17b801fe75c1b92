-- Foundation: patients, their chat accounts, conversations, inbound dedupe, outbox, audit log.

CREATE SEQUENCE patient_mrn_seq START 100001;

CREATE TABLE patients (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mrn                      text NOT NULL UNIQUE,
    given_name               text NOT NULL CHECK (given_name <> ''),
    family_name              text NOT NULL CHECK (family_name <> ''),
    preferred_name           text,
    birth_date               date NOT NULL,
    gender                   text,
    phone                    text NOT NULL CHECK (phone ~ '^\+61[0-9]{9}$'),
    email                    text,
    medicare_number          text CHECK (medicare_number ~ '^[2-6][0-9]{9}$'),
    medicare_irn             smallint CHECK (medicare_irn BETWEEN 1 AND 9),
    emergency_contact_name   text,
    emergency_contact_phone  text CHECK (emergency_contact_phone ~ '^\+61[0-9]{9}$'),
    consent_at               timestamptz NOT NULL,
    consent_version          text NOT NULL,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CHECK ((medicare_number IS NULL) = (medicare_irn IS NULL))
);

-- One chat account (a Telegram user id, a console user) is linked to one patient, and a
-- patient has at most one account per channel.
CREATE TABLE patient_accounts (
    channel     text NOT NULL,
    account_id  text NOT NULL,
    patient_id  bigint NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    linked_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, account_id),
    UNIQUE (channel, patient_id)
);

CREATE TABLE conversations (
    channel     text NOT NULL,
    chat_id     text NOT NULL,
    state       jsonb NOT NULL DEFAULT '{}',
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, chat_id)
);

-- Every inbound message, tap or event id seen, so a redelivery is acknowledged and dropped.
CREATE TABLE inbound_messages (
    channel      text NOT NULL,
    message_id   text NOT NULL,
    chat_id      text NOT NULL,
    received_at  timestamptz NOT NULL,
    outcome      text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, message_id)
);

CREATE TABLE outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel          text NOT NULL,
    chat_id          text NOT NULL,
    body             jsonb NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,
    attempts         integer NOT NULL DEFAULT 0,
    sent_at          timestamptz,
    failed_at        timestamptz,
    last_error       text,
    external_id      text
);

CREATE INDEX outbox_pending ON outbox (channel, chat_id, id)
    WHERE sent_at IS NULL AND failed_at IS NULL;

CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    action      text NOT NULL,
    patient_id  bigint REFERENCES patients (id) ON DELETE SET NULL,
    detail      jsonb NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_log_patient ON audit_log (patient_id, at);
