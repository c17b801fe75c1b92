package nlu

import (
	"context"
	"math"
	"regexp"
	"strings"
)

// DefaultSpecialties are the specialties the rule-based classifier recognises when the clinic
// configures none.
var DefaultSpecialties = []string{
	"gp", "nurse", "physiotherapist", "psychologist", "counsellor", "dietitian", "podiatrist",
}

// specialtySynonyms maps everyday words to a specialty. "doctor" alone names no specialty.
var specialtySynonyms = map[string][]string{
	"gp":              {"gp", "gps", "general practitioner", "family doctor"},
	"nurse":           {"nurse", "practice nurse", "nurses"},
	"physiotherapist": {"physiotherapist", "physio", "physiotherapy", "phsyio", "physios"},
	"psychologist":    {"psychologist", "psych", "psychology", "pyschologist"},
	"counsellor":      {"counsellor", "counselor", "counselling", "counseling"},
	"dietitian":       {"dietitian", "dietician", "nutritionist"},
	"podiatrist":      {"podiatrist", "podiatry", "foot doctor"},
}

// slang maps informal spellings and typos, word by word, to the words the rules look for.
var slang = map[string]string{
	"appt": "appointment", "appts": "appointments", "apt": "appointment", "apmt": "appointment",
	"appointmnet": "appointment", "apointment": "appointment", "appoinment": "appointment",
	"appointmet": "appointment", "appiontment": "appointment",
	"tmrw": "tomorrow", "tmr": "tomorrow", "tomoz": "tomorrow", "tomorow": "tomorrow",
	"tommorow": "tomorrow", "tommorrow": "tomorrow", "2moro": "tomorrow",
	"arvo": "afternoon", "avo": "afternoon",
	"pls": "please", "plz": "please", "u": "you", "ur": "your", "r": "are",
	"wanna": "want to", "gonna": "going to", "gunna": "going to",
	"cancle": "cancel", "cancell": "cancel", "canel": "cancel", "cancl": "cancel",
	"reschedual": "reschedule", "reshedule": "reschedule", "reschedul": "reschedule",
	"resched": "reschedule", "rescedule": "reschedule",
	"waitlist": "wait list", "waitinglist": "wait list",
	"hiya": "hi", "heya": "hi", "helo": "hello", "gday": "hello",
	"thx": "thanks", "ty": "thanks", "ta": "thanks",
	"enroll": "enrol", "enrolment": "enrol", "enrollment": "enrol", "registration": "register",
	"checkin": "check in", "carpark": "car park",
}

// rulePattern adds weight to an intent when its pattern matches the normalized text.
type rulePattern struct {
	intent Intent
	weight float64
	re     *regexp.Regexp
}

func pattern(intent Intent, weight float64, expression string) rulePattern {
	return rulePattern{intent: intent, weight: weight, re: regexp.MustCompile(expression)}
}

const (
	waitlistWords    = `(wait list|waiting list|cancellation list)`
	appointmentWords = `(appointment|appointments|booking|bookings|consult|session)`
	detailWords      = `(phone|phone number|number|mobile|mobile number|address|email|email address|details|name|surname|emergency contact|contact details|medicare|medicare card|next of kin|dob|date of birth)`
)

// rulePatterns are scored against normalize(text) after slang expansion. Weights were set
// on the tune rows of testdata/labelled.tsv.
var rulePatterns = []rulePattern{
	pattern(IntentGreet, 2, `^ (hi|hello|hey|yo|howdy|start|morning|good (morning|afternoon|evening|day)|hi there|hey there|hello there|morning all|hello mate|hello everyone)( (there|mate|all|everyone))? $`),
	pattern(IntentGreet, 0.6, `^ (hi|hello|hey|good (morning|afternoon|evening)) `),

	pattern(IntentHelp, 1.5, ` help `),
	pattern(IntentHelp, 2.5, ` what (can|do) (you|this bot|this thing) do | how (does|do) (this|it|i use this) work | how do i use | what (are|r) (my|the) options | (show me the |the )?menu $| commands | what sort of (stuff|things) | what do i (type|do here) | not sure what to do `),
	pattern(IntentHelp, 1, ` confused | options `),

	pattern(IntentEnrol, 2.5, ` enrol| register| sign (me |us )?up | signup | new patient | become a patient | join (the|your) (clinic|practice|hospital) | set up an account | (my|an) account for me `),
	pattern(IntentEnrol, 1.5, ` (never|havent|not) been (to your clinic |to the clinic |here |there )?before | first time here | new here | join `),

	pattern(IntentUpdateDetails, 3, ` (change|changed|changing|update|updating|fix|correct) (of )?(my |our )?`+detailWords+` | (new|different) `+detailWords+` | `+detailWords+` (has |have |is |s )?(changed|different) | wrong `+detailWords+` | my (numbers|number|phone|mobile|address|email)( is| has)? (different|changed|new) `),
	pattern(IntentUpdateDetails, 2, ` update | moved house | we moved | ive moved | my details | got married | change of name `),

	pattern(IntentBook, 2, ` book | book in | booking for | (make|get|need|want|like|grab|have) (a |an |another )?(new )?appointment | an appointment `),
	pattern(IntentBook, 1.5, ` (see|seeing|visit) (a |the |my )?(doctor|dr|gp|nurse|physiotherapist|physio|psychologist|counsellor|dietitian|someone) | get (in|me in) (to see|with) | (any|got any|have any|got anything|anything) (spots|slots|openings|availability|appointments|times|on) | (fit|squeeze) me in | come in | next available | check ?up | need a (gp|doctor|physio|nurse|physiotherapist) `),
	pattern(IntentBook, 1, ` appointment | available | availability | (blood test|flu shot|vaccine|script) `),

	pattern(IntentReschedule, 3.5, ` reschedule | postpone | rebook `),
	pattern(IntentReschedule, 2.5, ` (move|moving|change|changing|shift|swap|push|bring) (my |the |our )?(\w+ )?(appointment|appt|booking|it|time|the time) | (different|another|later|earlier) (time|day|date) | instead | push (it )?back | bring (it |my appointment )?forward | anything later `),

	pattern(IntentCancel, 3, ` cancel | cancelled | cancelling | canceling | canceled `),
	pattern(IntentCancel, 2, ` (cant|cannot|wont|will not|not able to|unable to|wont be able to) (make it|make|come|attend|be there|come in) | not (coming|attending) | (call|calling) off | (scrap|drop) (my|the) | dont need (my|the) appointment `),

	pattern(IntentListAppointments, 4, ` (when|what time|what day)( is|s)? my (next )?`+appointmentWords+` | do i have (an|any) `+appointmentWords+` | (show|list|check|see) (me )?(my |all my )?`+appointmentWords+` | what (have i got|appointments have i got|do i have) | (am i|im) booked | when am i (seeing|booked|in) | what day im seeing | whats booked | have i got anything `),
	pattern(IntentListAppointments, 2, ` my (upcoming |next )?appointments | upcoming | coming up `),

	pattern(IntentWaitlistJoin, 3, ` `+waitlistWords+` | (earlier|sooner) (appointment|spot|time|one) | something (earlier|sooner) | anything (earlier|sooner) | (comes|opens|frees) up | (opens|comes) up earlier `),
	pattern(IntentWaitlistJoin, 2, ` (let me know|tell me|notify me|text me|message me) (if|when) | a cancellation `),

	pattern(IntentWaitlistLeave, 5, ` (take|remove|get) me (off|from) (the )?`+waitlistWords+` | (leave|quit|exit) (the )?`+waitlistWords+` | (dont|no longer|not) (need|want) (to be on )?(the )?`+waitlistWords+` | off the (list|`+waitlistWords+`) | stop (the )?(wait list|waitlist offers|offers) `),

	pattern(IntentCheckIn, 3, ` (im|i am|we are|were|weve|ive|just) (here|arrived|outside|downstairs)(( for)? .*)? $| check (me |us )?in | checking in | (just )?(arrived|got here) | sign (me |us )?in | here for my `),
	pattern(IntentCheckIn, 2, ` (in|at) (the )?(waiting room|reception|front desk|foyer|lobby) | (in|at) the car park | ^ here $`),

	pattern(IntentFAQ, 3, ` (opening|open|trading) hours | what time do you (open|close|shut) | (open|closed) (on|today|tomorrow|on public holidays|weekends|saturdays?|sundays?) | visiting hours | interpreter| translator | bulk ?bill`),
	pattern(IntentFAQ, 2.5, ` park | parking | car park | (cost|costs|price|fee|fees|charge|gap|how much|pay|out of pocket|rebate) | bring | wheelchair| accessib| disabled | disability | ramp | lift | (pharmacy|chemist) | results | referral | emergency (department|dept|room) | where is the | address | telehealth | visit me | cafe | (are|is) (you|it|the clinic|the hospital) open | do you (do|offer|have|take|accept) `),

	pattern(IntentMentalHealth, 3, ` (anxious|anxiety|depressed|depression|stressed|overwhelmed|lonely|panic attacks?|not coping|cant cope|struggling|mental health|wellbeing|grief|grieving|burnt out|burned out|cant sleep|insomnia|sad all the time) `),
	pattern(IntentMentalHealth, 2.5, ` feeling (really |pretty |so |a bit |very )?(down|low|flat|sad|hopeless|empty|numb) | feel (so |really )?(down|low|flat|sad|lonely|hopeless) | (talk|talk to someone) about my (stress|anxiety|mood|feelings) | not doing (great|well|good) | stress `),
	pattern(IntentMentalHealth, 1, ` someone to talk to | who to talk to `),

	pattern(IntentHuman, 3, ` (talk|speak|chat) (to|with) (a |an |some |the )?(real )?(person|human|someone real|somebody real|receptionist|reception|staff|staff member|actual person|operator|agent|manager|someone at reception) | real person | human | (call|ring|phone) me | complain| (a )?staff member `),
	pattern(IntentHuman, 1.5, ` (useless|stupid|dumb) | bot | speak to someone `),
}

// tieOrder breaks equal scores in favour of the more specific intent.
var tieOrder = []Intent{
	IntentCrisis, IntentMentalHealth, IntentWaitlistLeave, IntentWaitlistJoin,
	IntentReschedule, IntentCancel, IntentCheckIn, IntentListAppointments,
	IntentUpdateDetails, IntentEnrol, IntentBook, IntentFAQ, IntentHuman, IntentHelp,
	IntentGreet,
}

// minRuleScore is the lowest winning score that is not reported as IntentUnknown.
const minRuleScore = 1.0

var practitionerRegexp = regexp.MustCompile(` (?:dr|doctor|doc|mr|mrs|ms|miss) ([a-z][a-z-]+) `)

// notSurnames are words that follow "doctor" in a message without being a name.
var notSurnames = map[string]bool{
	"today": true, "tomorrow": true, "tonight": true, "appointment": true, "appointments": true,
	"for": true, "on": true, "at": true, "about": true, "the": true, "a": true, "an": true,
	"please": true, "and": true, "asap": true, "soon": true, "next": true, "this": true,
	"in": true, "with": true, "to": true, "is": true, "or": true, "who": true, "that": true,
	"visit": true, "again": true, "i": true, "me": true, "my": true, "if": true,
	"available": true, "urgently": true, "before": true, "after": true, "when": true,
}

// Rules is the rule-based classifier: weighted keyword, phrase and pattern scoring. It is
// safe for concurrent use.
type Rules struct {
	specialties []specialtyTerm
}

type specialtyTerm struct {
	phrase    string // padded with spaces, as in normalized text
	specialty string
}

// NewRules returns a rule-based classifier that recognises the given specialties. Nil or
// empty means DefaultSpecialties.
func NewRules(specialties []string) *Rules {
	if len(specialties) == 0 {
		specialties = DefaultSpecialties
	}
	r := &Rules{}
	for _, specialty := range specialties {
		specialty = strings.ToLower(strings.TrimSpace(specialty))
		words := specialtySynonyms[specialty]
		if words == nil {
			words = []string{specialty, specialty + "s"}
		}
		for _, word := range words {
			r.specialties = append(r.specialties, specialtyTerm{phrase: " " + word + " ", specialty: specialty})
		}
	}
	return r
}

// Classify scores req.Text against every intent. A message the safety screen flags is
// always IntentCrisis. It never returns an error.
func (r *Rules) Classify(ctx context.Context, req Request) (Result, error) {
	return r.classify(req), nil
}

func (r *Rules) classify(req Request) Result {
	if Screen(req.Text) {
		return crisisResult()
	}
	return r.classifyScreened(req)
}

// classifyScreened scores a message the safety screen has already passed.
func (r *Rules) classifyScreened(req Request) Result {
	normalized := normalize(req.Text)
	entities := r.entities(req, normalized)
	expanded := expandSlang(normalized)

	scores := make([]float64, len(tieOrder))
	for _, p := range rulePatterns {
		if p.re.MatchString(expanded) {
			scores[tieIndex(p.intent)] += p.weight
		}
	}
	if entities.Date != "" || entities.Time != "" {
		scores[tieIndex(IntentBook)] += 1
	}
	if entities.Specialty != "" || entities.Practitioner != "" {
		scores[tieIndex(IntentBook)] += 0.5
	}

	best, second := 0, -1
	for i := 1; i < len(scores); i++ {
		if scores[i] > scores[best] {
			best, second = i, best
		} else if second < 0 || scores[i] > scores[second] {
			second = i
		}
	}
	if scores[best] < minRuleScore {
		return Result{Intent: IntentUnknown, Confidence: 0.3, Entities: entities, Source: SourceRules}
	}
	return Result{
		Intent:     tieOrder[best],
		Confidence: ruleConfidence(scores[best], scores[second]),
		Entities:   entities,
		Source:     SourceRules,
	}
}

// ruleConfidence grows with the winning score and shrinks as the runner-up comes close.
func ruleConfidence(best, second float64) float64 {
	strength := math.Min(0.95, 0.35+0.15*best)
	margin := (best - second) / best
	return math.Round(strength*(0.6+0.4*margin)*100) / 100
}

func tieIndex(intent Intent) int {
	for i, candidate := range tieOrder {
		if candidate == intent {
			return i
		}
	}
	panic("nlu: intent " + string(intent) + " missing from tieOrder")
}

// entities extracts the date, time, part of day, practitioner and specialty. A date or time
// that cannot exist is left out, because the booking flow parses it again and tells the
// patient.
func (r *Rules) entities(req Request, normalized string) Entities {
	var entities Entities
	if !req.Now.IsZero() {
		when, err := ParseWhen(req.Text, req.Now, req.location())
		if err == nil {
			if when.HasDate {
				entities.Date = when.Date.Format("2006-01-02")
			}
			entities.Time = when.Time
			entities.PartOfDay = when.PartOfDay
		}
	}
	if m := practitionerRegexp.FindStringSubmatch(normalized); m != nil && !notSurnames[m[1]] && !isWeekday(m[1]) {
		entities.Practitioner = m[1]
	}
	for _, term := range r.specialties {
		if strings.Contains(normalized, term.phrase) {
			entities.Specialty = term.specialty
			break
		}
	}
	return entities
}

// expandSlang replaces informal words (see slang) in normalized text.
func expandSlang(normalized string) string {
	words := strings.Fields(normalized)
	changed := false
	for i, word := range words {
		if replacement, ok := slang[word]; ok {
			words[i] = replacement
			changed = true
		}
	}
	if !changed {
		return normalized
	}
	return " " + strings.Join(words, " ") + " "
}

func isWeekday(word string) bool {
	_, ok := weekdays[word]
	return ok
}
