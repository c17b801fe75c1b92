-- FAQ entries for the patient assistant, searched with PostgreSQL full-text search.
-- heading covers the question and keywords and decides whether an entry matches; search
-- adds the answer for ranking text that mentions the words only in passing.

CREATE TABLE faq_entries (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    question    text NOT NULL CHECK (question <> ''),
    answer      text NOT NULL CHECK (answer <> ''),
    keywords    text NOT NULL DEFAULT '',
    position    integer NOT NULL,
    heading     tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('english', question), 'A') ||
                    setweight(to_tsvector('english', keywords), 'B')) STORED,
    search      tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('english', question), 'A') ||
                    setweight(to_tsvector('english', keywords), 'B') ||
                    setweight(to_tsvector('english', answer), 'D')) STORED,
    imported_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX faq_entries_heading ON faq_entries USING gin (heading);
