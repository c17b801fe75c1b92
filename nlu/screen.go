package nlu

import (
	"regexp"
	"strings"
)

// CrisisReply is sent at once when the safety screen fires. It gives 000 and the 24/7
// services named in the hospital's safety policy.
const CrisisReply = "I'm worried about your safety, and I want to make sure you get help right now.\n\n" +
	"If you or someone else is in danger, or it's a medical emergency (like chest pain, trouble " +
	"breathing or someone collapsing), call 000 (Triple Zero) now.\n\n" +
	"You can talk to someone any time, day or night:\n" +
	"• Lifeline: 13 11 14\n" +
	"• Suicide Call Back Service: 1300 659 467\n" +
	"• Beyond Blue: 1300 22 4636\n" +
	"• Kids Helpline (ages 5 to 25): 1800 55 1800\n" +
	"• 1800RESPECT (family, domestic or sexual violence): 1800 737 732\n\n" +
	"Please reach out to one of them now. You don't have to go through this alone."

// screenLookalikes are everyday phrases that use crisis words ("I'm dying to know",
// "to die for"). They are blanked out before the crisis patterns run.
var screenLookalikes = []string{
	" dying to ", " dying for ", " to die for ", " die of embarrassment ", " died laughing ",
	" dying laughing ", " kill for a ", " kill for some ", " killing it ", " dead tired ",
	" dead set ", " drop dead gorgeous ",
}

// screenPatterns match normalized text (see normalize): lower case, no apostrophes, words
// separated by single spaces. Each line is one kind of danger.
var screenPatterns = []string{
	// Suicide, direct and indirect, with common misspellings.
	`suicid|suicd|sucid|suicde|suiside|sucide|suiced|sewercide`,
	`\bkill?(ing)? ?(my ?sel[fv]|myslef|meself)\b`,
	`\b(wanna|want to|going to|gonna|gunna|might|should|just|about to) kms\b|^ ?kms\b|\bkms ?$|\bkys\b`,
	`\bunalive\b`,
	`\b(end|ending|ended) (it all|my life|my own life|everything|things for good)\b`,
	`\b(want|wanna|going|gonna|ready) (to )?end it\b`,
	`\b(take|taking|took) my (own )?life\b`,
	`\b(dont|do not|no longer|never) (really )?(want|wanna|wish) (to )?(be here|live|be alive|exist|wake up|go on|be around)\b`,
	`\b(want|wanna|wish|wishing|ready|going|gonna|deserve) (to )?(die|be dead)\b`,
	`\brather (be )?(dead|die)\b`,
	`\bwish i (could|would) die\b|\bwish i (was|were) dead\b|\bwish i (wasnt|werent|was not|was never) (here|alive|born)\b|\bwish i (had|d) never been born\b`,
	`\bbetter off (without me|dead|if i (was|were)(nt| not) (here|around|alive))\b`,
	`\b(no|dont see (a|any|the)|cant see (a|any|the)) (reason|point) (to|in) (live|living|going on|being here|life|carrying on)\b|\bwhats the point (of|in) (living|life|going on|being alive)\b`,
	`\b(life|living) (is not|isnt|aint|is no longer) worth\b|\bnot worth living\b`,
	`\b(cant|can not|cannot) (go on|keep going|do this anymore|do this any more|keep living)\b`,
	`\b(say|saying|said) goodbye (to everyone|forever|to everybody)\b|\bgoodbye forever\b|\bthis is goodbye\b`,
	`\b(jump|jumping|jumped) (off|in front of) (a |the )?(bridge|building|train|cliff|roof|tower)\b|\b(step|stepping|walk|walking) in front of (a |the )?(train|truck|car|bus)\b`,
	`\b(hang|hanging) (my ?self|myslef)\b|\b(slit|slitting|slash|slashing) my (wrist|wrists|throat)\b`,
	`\b(go to sleep|fall asleep|sleep) and (never|not) wake up\b|\bnever wake up again\b`,
	`\bno way out\b`,
	`\b(giving|gave|give) away (all )?(of )?my (stuff|things|belongings)\b`,

	// Self-harm.
	`\bself ?harm|\bslef ?harm|\bself ?injur|\bselfharm`,
	`\b(want|wanna|going|gonna|gunna|thinking|thought|urge|urges|tempted|might|been|keep|kept|started|planning|plan) (to |about |of |on )?(hurting|harming|cutting|burning|hurt|harm|cut|burn|punish|punishing) (my ?self|myslef|meself)\b`,
	`\b(cutting|harming|burning) (my ?self|myslef) again\b|\bstarted cutting\b`,

	// Overdose and poisoning.
	`\bover ?dos(e|ed|ing)\b|\bover dose\b|\bod(ed|d)?\b on\b|\boded\b`,
	`\b(took|taken|taking|swallowed|downed|had|take|swallow) (all|a whole|the whole|heaps of|a heap of|a bunch of|too many|way too many|lots of|a lot of|a handful of|a bottle of|a packet of|a box of|a full bottle of|the rest of|\d{2,}) (of )?(my |the |her |his |sleeping |pain )*(pills|tablets|meds|medication|medicine|panadol|paracetamol|antidepressants|nurofen|endone|valium|oxys?)\b`,
	`\btoo many (pills|tablets|meds|panadol|paracetamol|sleeping pills|sleeping tablets)\b`,
	`\b(took|swallowed|taken|downed) (a whole|the whole|a full|an entire) (packet|bottle|box|strip)\b`,
	`\b(drank|drink|drinking|swallowed) (some )?(bleach|poison|weed killer|drain cleaner)\b`,

	// Violence against the patient.
	`\b(he|she|they|partner|husband|hubby|wife|boyfriend|bf|girlfriend|gf|ex|dad|father|mum|mom|mother|stepdad|stepmum|brother|sister|son|daughter|someone|somebody|man|guy|neighbour|carer|flatmate|housemate) (\w+ ){0,2}(hit|hits|hitting|hurt|hurts|hurting|beat|beats|beating|bashed|bashes|bashing|punched|punches|punching|kicked|kicks|choked|chokes|choking|strangled|strangles|raped|assaulted|attacked|threatened|threatens|threatening|stabbed) me\b`,
	`\b(feel|feeling|am|im|i am|not) (so |really |very )?(unsafe|in danger)\b|\bunsafe at home\b|\bnot safe (at home|here|with)\b`,
	`\bthreat\w* to (kill|hurt|bash|stab|shoot) me\b`,
	`\b(said|says|told me|telling me|reckons) (he|she|they)(ll|d| will| would| is going to| was going to)? (kill|hurt|bash|stab|shoot) me\b`,
	`\b(scared|afraid|frightened|terrified) (he|she|they)(ll|s going to| will| is going to| might| could)? (kill|hurt|bash|stab|shoot) me\b`,
	`\b(domestic|family) violence\b|\b(im|i am|being|been|got|was) (abused|assaulted|raped|attacked|bashed|beaten up|beaten)\b|\bsexual(ly)? assault|\braped\b`,
	`\b(not|dont feel|never feel|dont) (feel )?safe (at home|with (him|her|them|my))\b|\b(scared|afraid|frightened|terrified) (to go home|of (my )?(partner|husband|hubby|wife|boyfriend|girlfriend|dad|father|stepdad|him|her))\b`,
	`\b(has|got|pulled|pulling|holding|waving) a (knife|gun|weapon|machete)\b`,

	// Medical emergencies.
	`\bchest (pain|pains|tightness|is tight|feels tight|hurts|pressure|is crushing)\b|\bpain (in|across) my chest\b|\btight chest\b|\bheart attack\b|\bcrushing pain\b`,
	`\b(cant|can not|cannot|struggling to|hard to|trouble|difficulty|unable to|barely) breath|\b(isnt|is not|not|stopped|has stopped|stop) breathing\b|\bshort of breath\b|\bgasping for (air|breath)\b|\b(is |hes |shes |baby is |im )choking\b`,
	`\bcollaps(e|ed|ing)\b|\bpassed out\b|\bunconscious\b|\bunresponsive\b|\b(wont|will not|cant|cannot) wake (him|her|them|up)\b|\bfainted\b`,
	`\b(having|had|is having|think (its|its a|he|she|im) having) a stroke\b|\bface (is )?(drooping|droopy)\b|\bslurr\w* (speech|words|his words|her words)\b`,
	`\bseizur|\b(having|had|is having) a fit\b|\b(is|hes|shes|keeps|started) fitting\b`,
	`\b(wont|will not|cant|cannot) stop (the )?bleeding\b|\bbleeding (heavily|a lot|badly|everywhere|wont stop)\b|\b(lots of|so much) blood\b|\b(heavy|severe) bleeding\b|\b(coughing|vomiting|throwing) up blood\b|\b(coughing|vomiting) blood\b`,
	`\banaphyla|\b(throat|tongue|lips) (is |are )?(swelling|swollen|closing)\b`,
	`\b(call|need|get|send|calling) (an |me an |us an |a )?ambulance\b`,
}

var screenRegexp = regexp.MustCompile(`(?:` + strings.Join(screenPatterns, `)|(?:`) + `)`)

// Screen reports whether text describes suicide, self-harm, an overdose, violence against
// the writer or a medical emergency. It is deterministic, runs before any other
// classification and errs on the side of firing: a false alarm costs a staff member a
// minute, a miss can cost a life.
func Screen(text string) bool {
	normalized := normalize(text)
	for _, phrase := range screenLookalikes {
		if strings.Contains(normalized, phrase) {
			normalized = strings.ReplaceAll(normalized, phrase, " ")
		}
	}
	return screenRegexp.MatchString(normalized)
}
