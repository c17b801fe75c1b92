package telegram

import (
	"encoding/json"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/bot/telegram/telegramtest"
)

// sentAt is the date of every test message: 8 December 2026, 3:00 pm in Melbourne.
const sentAt = 1796702400

// privateMessage returns update 100 with a message in the private chat of user 42, with
// the given JSON fields added to the message.
func privateMessage(fields string) string {
	return `{"update_id":100,"message":{"message_id":7,"date":1796702400,` +
		`"from":{"id":42,"is_bot":false,"first_name":"Test"},` +
		`"chat":{"id":42,"type":"private","first_name":"Test"},` + fields + `}}`
}

func decodeUpdate(t *testing.T, raw string) tgbotapi.Update {
	t.Helper()
	var u tgbotapi.Update
	require.NoError(t, json.Unmarshal([]byte(raw), &u), "decode update %s", raw)
	return u
}

func encodeUpdate(t *testing.T, update map[string]any) string {
	t.Helper()
	raw, err := json.Marshal(update)
	require.NoError(t, err)
	return string(raw)
}

func TestToInboundPassesPrivateMessages(t *testing.T) {
	t.Parallel()
	base := bot.Inbound{
		Channel: "telegram", ChatID: "42", UserID: "42", MessageID: "message:42:7",
		ReceivedAt: time.Unix(sentAt, 0).UTC(),
	}
	with := func(change func(*bot.Inbound)) bot.Inbound {
		in := base
		change(&in)
		return in
	}
	text := func(s string) bot.Inbound {
		return with(func(in *bot.Inbound) { in.Kind, in.Text = bot.KindText, s })
	}
	unsupported := func(name string) bot.Inbound {
		return with(func(in *bot.Inbound) { in.Kind, in.Unsupported = bot.KindUnsupported, name })
	}

	tests := []struct {
		name   string
		update string
		want   bot.Inbound
	}{
		{"text", privateMessage(`"text":"I'd like to book with Dr Lee"`), text("I'd like to book with Dr Lee")},
		{"command", privateMessage(`"text":"/start","entities":[{"offset":0,"length":6,"type":"bot_command"}]`), text("/start")},
		{"command with bot name", privateMessage(`"text":"/start@pms_test_bot","entities":[{"offset":0,"length":19,"type":"bot_command"}]`), text("/start")},
		{"command with bot name and argument", privateMessage(`"text":"/book@pms_test_bot tomorrow","entities":[{"offset":0,"length":18,"type":"bot_command"}]`), text("/book tomorrow")},
		{"at sign outside a command", privateMessage(`"text":"email me@example.com"`), text("email me@example.com")},
		{"command entity longer than text", privateMessage(`"text":"/a@b","entities":[{"offset":0,"length":40,"type":"bot_command"}]`), text("/a@b")},
		{"own contact", privateMessage(`"contact":{"phone_number":"+61491570006","first_name":"Test","user_id":42}`),
			with(func(in *bot.Inbound) {
				in.Kind, in.ContactPhone, in.ContactUserID = bot.KindContact, "+61491570006", "42"
			})},
		{"someone else's contact", privateMessage(`"contact":{"phone_number":"+61491570159","first_name":"Other","user_id":99}`),
			with(func(in *bot.Inbound) {
				in.Kind, in.ContactPhone, in.ContactUserID = bot.KindContact, "+61491570159", "99"
			})},
		{"contact without Telegram account", privateMessage(`"contact":{"phone_number":"0491570110","first_name":"Other"}`),
			with(func(in *bot.Inbound) { in.Kind, in.ContactPhone = bot.KindContact, "0491570110" })},
		{"sticker", privateMessage(`"sticker":{"file_id":"s","file_unique_id":"u","width":512,"height":512,"is_animated":false}`), unsupported("stickers")},
		{"photo with caption", privateMessage(`"photo":[{"file_id":"p","file_unique_id":"u","width":90,"height":90}],"caption":"my rash"`), with(func(in *bot.Inbound) {
			in.Kind, in.Unsupported, in.Text = bot.KindUnsupported, "photos", "my rash"
		})},
		{"voice", privateMessage(`"voice":{"file_id":"v","file_unique_id":"u","duration":3}`), unsupported("voice messages")},
		{"audio", privateMessage(`"audio":{"file_id":"a","file_unique_id":"u","duration":30}`), unsupported("audio files")},
		{"video", privateMessage(`"video":{"file_id":"v","file_unique_id":"u","width":1,"height":1,"duration":3}`), unsupported("videos")},
		{"video note", privateMessage(`"video_note":{"file_id":"v","file_unique_id":"u","length":240,"duration":3}`), unsupported("video messages")},
		{"animation", privateMessage(`"animation":{"file_id":"g","file_unique_id":"u","width":1,"height":1,"duration":1},"document":{"file_id":"g","file_unique_id":"u"}`), unsupported("GIFs")},
		{"document", privateMessage(`"document":{"file_id":"d","file_unique_id":"u","file_name":"referral.pdf"}`), unsupported("files")},
		{"location", privateMessage(`"location":{"latitude":-38.07,"longitude":145.48}`), unsupported("locations")},
		{"venue", privateMessage(`"venue":{"location":{"latitude":-38.07,"longitude":145.48},"title":"Clinic","address":"1 Main St"},"location":{"latitude":-38.07,"longitude":145.48}`), unsupported("places")},
		{"poll", privateMessage(`"poll":{"id":"1","question":"?","options":[],"total_voter_count":0,"is_closed":false,"is_anonymous":true,"type":"regular","allows_multiple_answers":false}`), unsupported("polls")},
		{"dice", privateMessage(`"dice":{"emoji":"🎲","value":3}`), unsupported("dice")},
		{"callback",
			encodeUpdate(t, telegramtest.CallbackUpdate(100, "q1", 5, telegramtest.PrivateChat(42), 42, "opt:3")),
			with(func(in *bot.Inbound) {
				in.Kind, in.Callback, in.ReceivedAt, in.MessageID = bot.KindCallback, "opt:3", time.Time{}, "callback:q1"
			})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in, ok, reason := ToInbound(decodeUpdate(t, tc.update))
			require.True(t, ok, "reason %q", reason)
			assert.Empty(t, reason)
			assert.Equal(t, tc.want, in)
		})
	}
}

func TestToInboundSkipsOtherUpdates(t *testing.T) {
	t.Parallel()
	groupText := encodeUpdate(t, telegramtest.MessageUpdate(100, 7, telegramtest.GroupChat(-5001), 42, "/start"))
	groupTap := encodeUpdate(t, telegramtest.CallbackUpdate(100, "q1", 5, telegramtest.GroupChat(-5001), 42, "opt:3"))

	tests := []struct {
		name   string
		update string
		reason string
	}{
		{"group message", groupText, ReasonNotPrivate},
		{"supergroup message", `{"update_id":100,"message":{"message_id":7,"date":1796702400,"from":{"id":42,"is_bot":false,"first_name":"Test"},"chat":{"id":-1001234,"type":"supergroup","title":"Ward"},"text":"hi"}}`, ReasonNotPrivate},
		{"channel message", `{"update_id":100,"message":{"message_id":7,"date":1796702400,"chat":{"id":-1005678,"type":"channel","title":"News"},"text":"hi"}}`, ReasonNotPrivate},
		{"group button tap", groupTap, ReasonNotPrivate},
		{"edited message", `{"update_id":100,"edited_message":{"message_id":7,"date":1796702400,"edit_date":1796702460,"from":{"id":42,"is_bot":false,"first_name":"Test"},"chat":{"id":42,"type":"private"},"text":"cancel"}}`, ReasonEdited},
		{"pinned message notice", privateMessage(`"pinned_message":{"message_id":3,"date":1796702000,"chat":{"id":42,"type":"private"},"text":"x"}`), ReasonServiceMessage},
		{"inline mode button tap", `{"update_id":100,"callback_query":{"id":"q2","from":{"id":42,"is_bot":false,"first_name":"Test"},"inline_message_id":"AAA","chat_instance":"1","data":"x"}}`, ReasonNoChat},
		{"channel post", `{"update_id":100,"channel_post":{"message_id":7,"date":1796702400,"chat":{"id":-1005678,"type":"channel","title":"News"},"text":"hi"}}`, ReasonOtherUpdate},
		{"empty update", `{"update_id":100}`, ReasonOtherUpdate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in, ok, reason := ToInbound(decodeUpdate(t, tc.update))
			assert.False(t, ok)
			assert.Equal(t, tc.reason, reason)
			assert.Equal(t, bot.Inbound{}, in)
		})
	}
}
