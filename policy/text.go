package policy

import "github.com/bouncewatch/bouncewatch/advice"

// heldText is the reply the held account's user sees in their mail
// client's error. SMTP replies are ASCII (RFC 5321 section 4.2; UTF-8 only
// under SMTPUTF8, which a client's error dialog may not show), so the
// Japanese text is given in romaji beside the English.
func heldText(lang advice.Lang, rate bool) string {
	en := "Your mail account is held: it was used to send spam, so its password is known to someone else. Change your password now, then ask your mail administrator to release the account."
	if rate {
		en = "Your mail account is held: it sent far more mail than usual, which is what a stolen password looks like. Change your password now, then ask your mail administrator to release the account."
	}
	if lang == advice.Japanese {
		return en + " / Meru akaunto ga teishi sareteimasu: pasuwado o sugu ni henko shite, kanrisha ni kaijo o irai shite kudasai."
	}
	return en
}
