package bot

// Replies to patients: plain, friendly Australian English. Dates are day first.
const (
	msgWelcomeNew = "Hi! I'm the chat assistant for %s.\n\n" +
		"To get started, I'll need to enrol you as a patient. It takes about two minutes. " +
		"Tap Enrol (or type \"enrol\") when you're ready."
	msgWelcomeBack  = "Welcome back, %s! How can I help today?"
	msgHelpEnrolled = "Here's what I can do for you:\n" +
		"• book an appointment (try \"GP tomorrow arvo\" or \"Dr Nguyen on Tuesday at 3pm\")\n" +
		"• show, move or cancel your appointments (\"my appointments\")\n" +
		"• put you on a waitlist and offer you a time when one frees up\n" +
		"• show your details, or change your phone number or email (\"my details\")\n" +
		"• answer common questions, like \"where can I park?\"\n\n" +
		"If you feel unsafe or it's an emergency, call 000."
	msgHelpNew = "I'm the hospital's chat assistant. Once you're enrolled (it takes about two minutes), I can:\n" +
		"• book, move and cancel appointments, and put you on a waitlist\n" +
		"• show your details and update your phone number or email\n" +
		"• answer common questions, like \"where can I park?\"\n\n" +
		"Tap Enrol to start. If you feel unsafe or it's an emergency, call 000."
	msgWelcomeBackToForm = "Hi again! Let's carry on with your %s."
	msgThanks            = "You're welcome! Anything else I can help with?"
	msgBye               = "Bye for now. Take care!"
	msgWhoAmI            = "I'm the hospital's chat assistant: a computer program, not a person. For a person, call reception on {clinic_phone}."
	msgNothingInProgress = "There's nothing in progress right now. What would you like to do?"
	msgCanDoToday        = "Right now I can enrol you, book, move and cancel appointments, manage a waitlist, " +
		"show your details, change your phone number or email, and answer common questions about the hospital."
	msgUnknown = "Sorry, I didn't quite get that. Could you say it another way? " +
		"You can also tap one of these."

	msgNotYetAppointments = "I can't book, change or cancel appointments in chat just yet. " +
		"For now, please call reception on {clinic_phone} and they'll sort it out."
	msgNotYetCheckIn = "Checking in by chat isn't available yet. Please let the front desk know you've arrived."
	msgFAQAsk        = "Ask me a question about the hospital, like \"where can I park?\" or \"what should I bring?\"."
	msgFAQWeak       = "I'm not sure which of these you mean. Tap the closest one:"
	msgFAQNone       = "Sorry, I don't have an answer to that one. Reception can help: please call them on {clinic_phone}."
	msgNotYetHuman   = "I can't pass messages to staff from chat just yet. Please call reception on {clinic_phone} " +
		"and a person will help you. If it's an emergency, call 000."
	msgWellbeing = "Thanks for reaching out. It takes courage to ask for support.\n\n" +
		"You can talk to someone any time, day or night:\n" +
		"• Lifeline 13 11 14\n" +
		"• Beyond Blue 1300 22 4636\n" +
		"• Kids Helpline 1800 55 1800 (ages 5 to 25)\n\n" +
		"Your GP can also help with a mental health plan. If you're in danger right now, call 000."

	msgCrisisFormKept  = "Your %s answers so far are kept. When you're ready, you can carry on where you left off."
	msgPausedReminder  = "Your %s is paused. Type \"resume\" or tap below to carry on where you left off."
	msgNothingToResume = "There's nothing paused to carry on with. What would you like to do?"

	msgEmpty              = "That message was empty."
	msgTooLong            = "That message is too long for me to read (over %d characters). Could you send a shorter one?"
	msgStaleButton        = "That button is from an earlier message and no longer applies, so I haven't done anything. Please use the latest message, or tell me what you'd like to do."
	msgUnsupportedCaption = "I can't open %s, but I've read the words you sent with it."
	msgUnsupportedNoForm  = "Sorry, I can't read %s. Please send me a text message instead."
	msgUnsupported        = "Sorry, I can't read %s. Please type your answer as a text message."
	msgContactNotOwn      = "That looks like someone else's contact. Please share your own number, or type it in."
	msgContactUnexpected  = "Thanks, but I wasn't asking for a phone number just now. To change yours, type \"change my phone\"."
	msgInternalError      = "Sorry, something went wrong on our side and I couldn't handle your last message. " +
		"Please try again in a minute. If it's urgent, call reception on {clinic_phone}, or 000 in an emergency."

	msgAtFirstQuestion = "This is the first question, so there's nothing to go back to."
	msgCannotSkip      = "I need an answer to this one, sorry. Type \"cancel\" if you'd like to stop."

	msgConsent = "Before we start: to enrol you, the hospital will store the details you give me " +
		"(your name, date of birth, phone number and, if you choose, email, Medicare number and an " +
		"emergency contact) and use them to manage your care and appointments. Only hospital staff " +
		"who need them can see them. You can ask to see or correct them at any time.\n\n" +
		"Do you agree?"
	msgConsentUnclear  = "Please answer yes or no: do you agree to the hospital storing your details?"
	msgConsentDeclined = "No worries. I haven't stored anything. If you change your mind, just type \"enrol\". " +
		"You can still call reception on {clinic_phone} for help."
	msgAskGivenName      = "What's your first name (given name), as it appears on your Medicare card or ID?"
	msgAskFamilyName     = "Thanks. And your family name (surname)?"
	msgAskPreferredName  = "Is there a name you'd rather we call you? Type it, or tap Skip."
	msgAskBirthDate      = "What's your date of birth? For example 25/12/1980."
	msgAskGender         = "How do you describe your gender? Tap an option, type it in your own words, or tap Skip."
	msgGenderTooLong     = "Please keep that to 50 characters or fewer, on one line."
	msgNameLooksLikeDate = "That looks like a date rather than a name. Please type the name, or \"back\" to change an earlier answer."
	msgGenderUnclear     = "That looks like the answer to another question. How do you describe your gender? Type it in words, or tap Skip."
	msgMedicareInUse     = "That Medicare number and reference number are already on another patient record, so I can't use them here. " +
		"You may already be enrolled: please call reception on {clinic_phone} and they'll sort it out. You can type \"skip\" to leave Medicare out for now."
	msgMedicareTakenAtSave = "That Medicare number and reference number were just saved on another patient record, so I couldn't enrol you. " +
		"Please call reception on {clinic_phone} and they'll sort it out."
	msgEmergencyIsOwnPhone = "That's your own number. Please give a number for your emergency contact, or type \"back\" to skip the contact."
	msgAskPhone            = "What's the best phone number to reach you on? For example 0412 345 678. On Telegram you can also tap \"Share my phone number\"."
	msgAskEmail            = "What's your email address? Type it, or tap Skip."
	msgAskMedicare         = "What's your Medicare card number? It's the 10 digits on the front, like 2123 45670 1. Type it, or tap Skip."
	msgAskIRN              = "And your reference number? It's the single digit (1 to 9) to the left of your name on the card. Type \"skip\" to leave Medicare out."
	msgAskEmergencyName    = "Who should we contact in an emergency? Type their name, or tap Skip."
	msgAskEmergencyPhone   = "What's their phone number?"
	msgSummaryIntro        = "Here's what you've told me:\n"
	msgSummaryQuestion     = "Is that all correct? Tap \"Yes, enrol me\" to save it, or type \"back\" to change the last answer."
	msgConfirmUnclear      = "Please answer yes to save these details, or type \"back\" to change something."
	msgEnrolCancelled      = "Okay, I've cancelled your enrolment and haven't saved anything. Type \"enrol\" any time to start again."

	msgEnrolled            = "You're enrolled, %s! Your medical record number is %s. Keep it handy for when you call us on {clinic_phone}."
	msgAlreadyEnrolled     = "You're already enrolled, %s (medical record number %s), so there's no need to do it again."
	msgAlreadyEnrolledRace = "You're already enrolled, so I haven't saved these details a second time."

	msgNoDetailsYet    = "I don't have any details for you yet, because you're not enrolled. Tap Enrol to get started."
	msgDetailsIntro    = "Here are the details we hold for you:\n"
	msgDetailsFooter   = "To change your phone number or email, tap below. For anything else, please call reception on {clinic_phone}."
	msgAskNewPhone     = "What's your new phone number? For example 0412 345 678."
	msgPhoneUpdated    = "Done. Your phone number is now %s."
	msgPhoneUnchanged  = "%s is already the number we have for you, so nothing has changed."
	msgAskNewEmail     = "What's your new email address?"
	msgEmailUpdated    = "Done. Your email address is now %s."
	msgEmailRemoved    = "Done. I've removed your email address."
	msgUpdateCancelled = "Okay, I've left your details as they were."

	msgEnrolFirst            = "I'll need to enrol you before I can book appointments. It only takes a couple of minutes."
	msgWhatKind              = "What kind of appointment would you like?"
	msgWhichDay              = "Which day would you like? For example \"Thursday\", \"tomorrow arvo\" or \"15/12\"."
	msgNoSuchPractitioner    = "I couldn't find a practitioner called %q here."
	msgNoPractitioners       = "Sorry, there are no practitioners taking bookings at the moment. Please call reception on {clinic_phone}."
	msgTimesFound            = "Here are the best times with %s. Tap one to book it:"
	msgNoTimes               = "Sorry, I couldn't find any free times with %s in the two weeks I looked at. I can put you on the waitlist, and message you if a time frees up. Or tell me another day or time."
	msgNoTimesThatDay        = "Sorry, %s has no free times %s."
	msgNearestTimes          = "These are the nearest free times after that."
	msgNextYear              = "That date has already passed this year, so here are times for %s. If you meant another day, just tell me."
	msgDayPassed             = "That day has already passed."
	msgBookingStillOpenAgain = "Your booking is still open. Here are the times again."
	msgBookingStillOpenLater = "Your booking is still open: type \"times\" to see the times again, or \"cancel\" to stop."
	msgBookingStillOpen      = "Your booking is still open: tap one of the times above, or tell me another day or time. Type \"cancel\" to stop."
	msgPickOrSay             = "Tap one of the times above, or tell me another day or time, like \"Thursday morning\". Type \"cancel\" to stop."
	msgBookingDropped        = "Okay, I haven't booked anything."
	msgConfirmBooking        = "%s. Book it?"
	msgConfirmMove           = "Move your appointment to %s?"
	msgBooked                = "You're booked in: %s. I've attached a calendar file. Reply \"my appointments\" any time to see or change it."
	msgMoved                 = "Done, your appointment is now %s. I've attached an updated calendar file."
	msgMoving                = "Your appointment is %s. When would you like it instead?"
	msgJustTaken             = "Sorry, that time was just taken by someone else."
	msgTooSoon               = "Sorry, that time is too soon (or has passed) to book now."
	msgPatientBusy           = "You already have an appointment at that time."
	msgUnavailable           = "Sorry, that time is no longer available."
	msgAppointmentChanged    = "That appointment has changed since that message, so I haven't done anything. Here's what you have now."
	msgLateWarning           = "It's less than %s away, so cancelling now is recorded as a late change."
	msgLateChange            = "As it was less than %s away, it's recorded as a late change."
	msgNoAppointments        = "You don't have any upcoming appointments."
	msgYourAppointments      = "Your upcoming appointments:"
	msgWhichToCancel         = "Which appointment would you like to cancel?"
	msgWhichToMove           = "Which appointment would you like to change?"
	msgConfirmCancel         = "Cancel your appointment on %s?"
	msgCancelled             = "Done, I've cancelled your appointment on %s."
	msgKept                  = "No worries, your appointment stays as it is."
	msgWaitlistJoined        = "You're on the waitlist for %s. If a time frees up, I'll message you and hold it for you for a little while."
	msgAlreadyWaiting        = "You're already on the waitlist for that. I'll message you if a time frees up."
	msgNotWaiting            = "You're not on any waitlist at the moment."
	msgWhichWaitlist         = "Which waitlist would you like to leave?"
	msgWaitlistLeft          = "Done, you're off the waitlist."
	msgOfferOpen             = "Good news! A time that suits your waitlist request is free: %s. I'm holding it for you until %s. Would you like it?"
	msgOffer                 = "Good news! A time has freed up: %s. I'm holding it for you until %s. Would you like it?"
	msgOfferClosed           = "Sorry, that offer has expired or been withdrawn, so I couldn't book it."
	msgOfferDeclined         = "No worries, I've passed it on to the next person waiting. You're still on the waitlist."
	msgOfferDeclinedReleased = "No worries, I've released that time. You're still on the waitlist."
	msgOfferExpired          = "The time I was holding for you has now been offered to someone else. You're still on the waitlist."
	msgOfferExpiredReleased  = "The time I was holding for you has been released, as the hold ran out. You're still on the waitlist."
	msgOfferWithdrawn        = "Sorry, the time I offered you is no longer available. You're still on the waitlist."
	msgClinicCancelled       = "We're sorry: %s can't see patients on %s, so your %s appointment has been cancelled. Would you like to book another time?"
)
