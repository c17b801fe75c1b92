# pms: `make run` starts the service on local defaults; `make test` runs every test.
# Both start a private PostgreSQL under .devdb/ when DATABASE_URL is not set.

SHELL := /bin/bash
GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
DEVDB := scripts/devdb
# Runs a command with DATABASE_URL pointing at the private cluster unless it is already set.
WITH_DB = if [ -z "$${DATABASE_URL:-}" ]; then eval "$$($(DEVDB) env)"; fi;

.PHONY: build run chat test test-short bench vet clean-db db-stop

build:
	$(GO) build -o bin/pms ./cmd/pms

## run: migrate, load the demo data and start the service (terminal chat without a Telegram token)
run: build
	@$(WITH_DB) bin/pms migrate && bin/pms seed --demo && bin/pms faq import --if-empty nlu/faq/sample-faq.md && exec bin/pms serve

## chat: the terminal chat on its own; `make chat CHAT_USER=sam` chats as another patient
chat: build
	@$(WITH_DB) bin/pms migrate >/dev/null && exec bin/pms chat $(if $(CHAT_USER),--user $(CHAT_USER))

## test: every test with the race detector, against a private PostgreSQL. The process
## runs in UTC, so any code that leans on the server's zone instead of the clinic's fails.
test:
	@$(WITH_DB) TZ=UTC $(GO) test -race -count=1 ./...

test-short:
	@$(WITH_DB) $(GO) test -count=1 ./...

## bench: turn throughput and latency beside pgbench on the same cluster
bench: build
	@$(WITH_DB) scripts/bench

vet:
	$(GO) vet ./...

## clean-db: stop the private PostgreSQL and delete its data
clean-db:
	$(DEVDB) clean

db-stop:
	$(DEVDB) stop
