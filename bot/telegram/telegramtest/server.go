// Package telegramtest is a fake Telegram Bot API server for tests. It listens on
// 127.0.0.1, responds to the real go-telegram-bot-api client with the Bot API's JSON
// shapes, queues updates that tests push, and records everything the bot sends.
package telegramtest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Identity of the fake bot, as getMe returns it.
const (
	BotID       int64 = 7000000001
	BotUsername       = "pms_test_bot"
	BotName           = "Pakenham Test Bot"
)

// Sent is one message the bot sent or edited, decoded from its request.
type Sent struct {
	Method    string // "sendMessage", "sendDocument" or "editMessageText"
	ChatID    int64
	MessageID int    // the id the fake assigned (or, for an edit, the edited message)
	Text      string // the message text, or a document's caption
	ParseMode string
	// ReplyMarkup is nil when the request carried none.
	ReplyMarkup *ReplyMarkup
	Document    *Document
}

// ReplyMarkup is any of Telegram's keyboards: an inline keyboard, a reply keyboard, or a
// request to remove the reply keyboard.
type ReplyMarkup struct {
	InlineKeyboard  [][]InlineButton   `json:"inline_keyboard,omitempty"`
	Keyboard        [][]KeyboardButton `json:"keyboard,omitempty"`
	OneTimeKeyboard bool               `json:"one_time_keyboard,omitempty"`
	ResizeKeyboard  bool               `json:"resize_keyboard,omitempty"`
	RemoveKeyboard  bool               `json:"remove_keyboard,omitempty"`
}

// InlineButton is one button of an inline keyboard.
type InlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
}

// KeyboardButton is one button of a reply keyboard.
type KeyboardButton struct {
	Text           string `json:"text"`
	RequestContact bool   `json:"request_contact,omitempty"`
}

// Document is an uploaded file.
type Document struct {
	Name    string
	MIME    string // the Content-Type of the uploaded part
	Content []byte
}

// CallbackAnswer is one answerCallbackQuery call.
type CallbackAnswer struct {
	QueryID string
	Text    string
}

// WebhookInfo is the registration of the last setWebhook call.
type WebhookInfo struct {
	URL            string
	SecretToken    string
	AllowedUpdates []string
	MaxConnections string
}

type queuedUpdate struct {
	id  int
	raw json.RawMessage
}

type failure struct {
	code        int
	retryAfter  int
	description string
}

// Server is a fake Bot API server. Its methods are safe for concurrent use.
type Server struct {
	// Token is the only bot token the server accepts; others get 401 Unauthorized.
	Token string

	http   *httptest.Server
	closed chan struct{}

	mu            sync.Mutex
	changed       chan struct{} // closed and replaced on every change, to wake waiters
	nextUpdateID  int
	nextMessageID int
	queue         []queuedUpdate
	lastOffset    int
	sent          []Sent
	answers       []CallbackAnswer
	failures      map[string][]failure
	webhook       WebhookInfo
	calls         map[string]int
}

// New starts a fake server and stops it when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		Token:         "7000000001:AAF-fake-token-for-tests-only",
		closed:        make(chan struct{}),
		changed:       make(chan struct{}),
		nextUpdateID:  500000,
		nextMessageID: 1,
		failures:      map[string][]failure{},
		calls:         map[string]int{},
	}
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	t.Cleanup(func() {
		// Long polls wait on closed, and Close waits for every request to finish.
		close(s.closed)
		s.http.Close()
	})
	return s
}

// URL returns the server's base address, the value for TELEGRAM_API_URL.
func (s *Server) URL() string { return s.http.URL }

// notifyLocked wakes everyone waiting for a change. The caller holds s.mu.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor blocks until cond holds (checked under s.mu) or timeout passes, and reports
// whether it held.
func (s *Server) waitFor(timeout time.Duration, cond func() bool) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		ok := cond()
		changed := s.changed
		s.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-changed:
		case <-timer.C:
			return false
		case <-s.closed:
			return false
		}
	}
}

// Sent returns every message the bot sent or edited, in order.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// WaitSent waits until the bot has sent at least n messages and returns all of them. It
// fails the test when timeout passes first.
func (s *Server) WaitSent(t testing.TB, n int, timeout time.Duration) []Sent {
	t.Helper()
	if !s.waitFor(timeout, func() bool { return len(s.sent) >= n }) {
		t.Fatalf("telegramtest: waited %s for %d sent messages, got %d", timeout, n, len(s.Sent()))
	}
	return s.Sent()
}

// AnswersToCallbacks returns every answerCallbackQuery call, in order.
func (s *Server) AnswersToCallbacks() []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CallbackAnswer(nil), s.answers...)
}

// WaitAnswers waits until the bot has answered at least n callback queries and returns
// all answers. It fails the test when timeout passes first.
func (s *Server) WaitAnswers(t testing.TB, n int, timeout time.Duration) []CallbackAnswer {
	t.Helper()
	if !s.waitFor(timeout, func() bool { return len(s.answers) >= n }) {
		t.Fatalf("telegramtest: waited %s for %d callback answers, got %d", timeout, n, len(s.AnswersToCallbacks()))
	}
	return s.AnswersToCallbacks()
}

// WaitCalls waits until method has been called at least n times. It fails the test when
// timeout passes first.
func (s *Server) WaitCalls(t testing.TB, method string, n int, timeout time.Duration) {
	t.Helper()
	if !s.waitFor(timeout, func() bool { return s.calls[method] >= n }) {
		t.Fatalf("telegramtest: waited %s for %d calls of %s, got %d", timeout, n, method, s.Calls(method))
	}
}

// Calls returns how many requests for method the server has received, failed ones
// included.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// LastOffset returns the offset of the latest getUpdates request (0 before any).
func (s *Server) LastOffset() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastOffset
}

// WaitOffset waits until a getUpdates request has carried offset, which confirms every
// update below it. It fails the test when timeout passes first.
func (s *Server) WaitOffset(t testing.TB, offset int, timeout time.Duration) {
	t.Helper()
	if !s.waitFor(timeout, func() bool { return s.lastOffset == offset }) {
		t.Fatalf("telegramtest: waited %s for getUpdates with offset %d, last offset %d", timeout, offset, s.LastOffset())
	}
}

// Pending returns how many queued updates no getUpdates offset has confirmed yet.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Webhook returns what the last setWebhook registered; it is empty after deleteWebhook.
func (s *Server) Webhook() WebhookInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook
}

// SetWebhook registers a webhook as if setWebhook had been called, so getUpdates fails
// with 409 Conflict until deleteWebhook.
func (s *Server) SetWebhook(info WebhookInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = info
	s.notifyLocked()
}

// FailNext makes the next call of method answer with ok:false, error_code code and
// description. A retryAfter above zero adds parameters.retry_after (seconds). Calls queue
// up: two FailNext calls fail the next two requests.
func (s *Server) FailNext(method string, code, retryAfter int, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], failure{code: code, retryAfter: retryAfter, description: description})
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	token, method, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	if !ok || !strings.HasPrefix(r.URL.Path, "/bot") {
		writeError(w, http.StatusNotFound, "Not Found", 0)
		return
	}
	if token != s.Token {
		writeError(w, http.StatusUnauthorized, "Unauthorized", 0)
		return
	}
	if err := parseForm(r); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), 0)
		return
	}

	s.mu.Lock()
	s.calls[method]++
	s.notifyLocked()
	if queued := s.failures[method]; len(queued) > 0 {
		f := queued[0]
		s.failures[method] = queued[1:]
		s.mu.Unlock()
		writeError(w, f.code, f.description, f.retryAfter)
		return
	}
	s.mu.Unlock()

	switch method {
	case "getMe":
		writeResult(w, botUser())
	case "getUpdates":
		s.getUpdates(w, r)
	case "sendMessage":
		s.sendMessage(w, r)
	case "sendDocument":
		s.sendDocument(w, r)
	case "editMessageText":
		s.editMessageText(w, r)
	case "answerCallbackQuery":
		s.answerCallbackQuery(w, r)
	case "setWebhook":
		s.setWebhook(w, r)
	case "deleteWebhook":
		s.deleteWebhook(w, r)
	case "getWebhookInfo":
		s.getWebhookInfo(w)
	default:
		writeError(w, http.StatusNotFound, "Not Found", 0)
	}
}

// parseForm reads a form-encoded or multipart body, as the client sends both.
func parseForm(r *http.Request) error {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "multipart/form-data" {
		return r.ParseMultipartForm(32 << 20)
	}
	return r.ParseForm()
}

func writeResult(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

// writeError answers like the Bot API: the HTTP status equals error_code, and the body
// carries the same code (clients read only the body).
func writeError(w http.ResponseWriter, code int, description string, retryAfter int) {
	body := map[string]any{"ok": false, "error_code": code, "description": description}
	if retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": retryAfter}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request) {
	offset, _ := strconv.Atoi(r.FormValue("offset"))
	limit, _ := strconv.Atoi(r.FormValue("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeoutSeconds, _ := strconv.Atoi(r.FormValue("timeout"))
	timer := time.NewTimer(time.Duration(timeoutSeconds) * time.Second)
	defer timer.Stop()

	for {
		s.mu.Lock()
		if s.webhook.URL != "" {
			s.mu.Unlock()
			writeError(w, http.StatusConflict, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", 0)
			return
		}
		s.confirmLocked(offset)
		if len(s.queue) > 0 || timeoutSeconds <= 0 {
			batch := s.queue[:min(limit, len(s.queue))]
			result := make([]json.RawMessage, 0, len(batch))
			for _, u := range batch {
				result = append(result, u.raw)
			}
			s.mu.Unlock()
			writeResult(w, result)
			return
		}
		changed := s.changed
		s.mu.Unlock()

		select {
		case <-changed:
		case <-timer.C:
			timeoutSeconds = 0
		case <-s.closed:
			timeoutSeconds = 0
		case <-r.Context().Done():
			return
		}
	}
}

// confirmLocked drops the updates that offset confirms (every id below it), as the Bot
// API does. The caller holds s.mu.
func (s *Server) confirmLocked(offset int) {
	if offset != s.lastOffset {
		s.lastOffset = offset
		s.notifyLocked()
	}
	if offset <= 0 {
		return
	}
	kept := s.queue[:0]
	for _, u := range s.queue {
		if u.id >= offset {
			kept = append(kept, u)
		}
	}
	s.queue = kept
}

// readMarkup decodes the reply_markup form value; an empty value gives nil.
func readMarkup(r *http.Request) (*ReplyMarkup, error) {
	raw := r.FormValue("reply_markup")
	if raw == "" {
		return nil, nil
	}
	var markup ReplyMarkup
	if err := json.Unmarshal([]byte(raw), &markup); err != nil {
		return nil, fmt.Errorf("can't parse reply keyboard markup JSON object")
	}
	return &markup, nil
}

func readChatID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.FormValue("chat_id"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("chat not found")
	}
	return id, nil
}

// recordLocked stores a sent message, assigns it an id and returns the Message JSON that
// the Bot API answers with. The caller holds s.mu.
func (s *Server) recordLocked(sent Sent, markupJSON string) map[string]any {
	sent.MessageID = s.nextMessageID
	s.nextMessageID++
	s.sent = append(s.sent, sent)
	s.notifyLocked()

	msg := map[string]any{
		"message_id": sent.MessageID,
		"from":       botUser(),
		"chat":       PrivateChat(sent.ChatID),
		"date":       time.Now().Unix(),
	}
	if sent.Document != nil {
		msg["document"] = map[string]any{
			"file_name": sent.Document.Name, "mime_type": sent.Document.MIME,
			"file_id":        fmt.Sprintf("BQACAgIAAx-doc-%d", sent.MessageID),
			"file_unique_id": fmt.Sprintf("AgAD-doc-%d", sent.MessageID),
			"file_size":      len(sent.Document.Content),
		}
		if sent.Text != "" {
			msg["caption"] = sent.Text
		}
	} else {
		msg["text"] = sent.Text
	}
	// Only inline keyboards come back on the message; reply keyboards do not.
	if sent.ReplyMarkup != nil && sent.ReplyMarkup.InlineKeyboard != nil {
		msg["reply_markup"] = json.RawMessage(markupJSON)
	}
	return msg
}

func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request) {
	chatID, err := readChatID(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), 0)
		return
	}
	text := r.FormValue("text")
	if text == "" {
		writeError(w, http.StatusBadRequest, "Bad Request: message text is empty", 0)
		return
	}
	markup, err := readMarkup(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), 0)
		return
	}

	s.mu.Lock()
	msg := s.recordLocked(Sent{
		Method: "sendMessage", ChatID: chatID, Text: text,
		ParseMode: r.FormValue("parse_mode"), ReplyMarkup: markup,
	}, r.FormValue("reply_markup"))
	s.mu.Unlock()
	writeResult(w, msg)
}

func (s *Server) sendDocument(w http.ResponseWriter, r *http.Request) {
	chatID, err := readChatID(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), 0)
		return
	}
	markup, err := readMarkup(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), 0)
		return
	}
	file, header, err := r.FormFile("document")
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: there is no document in the request", 0)
		return
	}
	defer file.Close()
	content, err := io.ReadAll(file)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: failed to read the document", 0)
		return
	}

	s.mu.Lock()
	msg := s.recordLocked(Sent{
		Method: "sendDocument", ChatID: chatID, Text: r.FormValue("caption"),
		ParseMode: r.FormValue("parse_mode"), ReplyMarkup: markup,
		Document: &Document{Name: header.Filename, MIME: header.Header.Get("Content-Type"), Content: content},
	}, r.FormValue("reply_markup"))
	s.mu.Unlock()
	writeResult(w, msg)
}

func (s *Server) editMessageText(w http.ResponseWriter, r *http.Request) {
	chatID, err := readChatID(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), 0)
		return
	}
	messageID, err := strconv.Atoi(r.FormValue("message_id"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: message to edit not found", 0)
		return
	}
	markup, err := readMarkup(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), 0)
		return
	}

	edit := Sent{
		Method: "editMessageText", ChatID: chatID, MessageID: messageID,
		Text: r.FormValue("text"), ParseMode: r.FormValue("parse_mode"), ReplyMarkup: markup,
	}
	s.mu.Lock()
	s.sent = append(s.sent, edit)
	s.notifyLocked()
	s.mu.Unlock()

	msg := map[string]any{
		"message_id": messageID, "from": botUser(), "chat": PrivateChat(chatID),
		"date": time.Now().Unix(), "edit_date": time.Now().Unix(), "text": edit.Text,
	}
	if markup != nil && markup.InlineKeyboard != nil {
		msg["reply_markup"] = json.RawMessage(r.FormValue("reply_markup"))
	}
	writeResult(w, msg)
}

func (s *Server) answerCallbackQuery(w http.ResponseWriter, r *http.Request) {
	id := r.FormValue("callback_query_id")
	if id == "" {
		writeError(w, http.StatusBadRequest, "Bad Request: query is too old and response timeout expired or query ID is invalid", 0)
		return
	}
	s.mu.Lock()
	s.answers = append(s.answers, CallbackAnswer{QueryID: id, Text: r.FormValue("text")})
	s.notifyLocked()
	s.mu.Unlock()
	writeResult(w, true)
}

func (s *Server) setWebhook(w http.ResponseWriter, r *http.Request) {
	info := WebhookInfo{URL: r.FormValue("url"), SecretToken: r.FormValue("secret_token"), MaxConnections: r.FormValue("max_connections")}
	if raw := r.FormValue("allowed_updates"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &info.AllowedUpdates); err != nil {
			writeError(w, http.StatusBadRequest, "Bad Request: can't parse allowed updates", 0)
			return
		}
	}
	s.SetWebhook(info)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": true, "description": "Webhook was set"})
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.webhook = WebhookInfo{}
	if r.FormValue("drop_pending_updates") == "true" {
		s.queue = nil
	}
	s.notifyLocked()
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": true, "description": "Webhook was deleted"})
}

func (s *Server) getWebhookInfo(w http.ResponseWriter) {
	s.mu.Lock()
	info := map[string]any{
		"url": s.webhook.URL, "has_custom_certificate": false, "pending_update_count": len(s.queue),
	}
	if len(s.webhook.AllowedUpdates) > 0 {
		info["allowed_updates"] = s.webhook.AllowedUpdates
	}
	s.mu.Unlock()
	writeResult(w, info)
}
