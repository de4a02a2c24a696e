package advice

import (
	"strconv"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/reason"
)

// Verdict is what a scan concluded about one sending account.
type Verdict string

// The verdicts of a scan (issue 3).
const (
	// Hijacked: spam leaves through our own server with the account's
	// stolen password.
	Hijacked Verdict = "hijacked"
	// Spoofed: the bounces are backscatter for forged mail that never
	// passed through our server.
	Spoofed Verdict = "spoofed"
	// Ordinary: the bounces are the everyday failures of mail we did send.
	Ordinary Verdict = "ordinary"
	// Mixed: the account was hijacked and its address forged as well.
	Mixed Verdict = "mixed"
	// InsufficientEvidence: the input cannot tell; the plan says what to
	// collect.
	InsufficientEvidence Verdict = "insufficient_evidence"
)

// Verdicts returns every verdict, in the order of the constants.
func Verdicts() []Verdict {
	return []Verdict{Hijacked, Spoofed, Ordinary, Mixed, InsufficientEvidence}
}

// Valid reports whether v is one of the five verdicts.
func (v Verdict) Valid() bool {
	switch v {
	case Hijacked, Spoofed, Ordinary, Mixed, InsufficientEvidence:
		return true
	}
	return false
}

// The codes of evidence a verdict may lack ([PlanContext.MissingEvidence]).
// Each known code gets a step that says how to collect that evidence; any
// other code gets a general step naming it.
const (
	// EvidenceSendLog: no outbound mail log (Postfix, Exim, Sendmail, or a
	// control panel's CSV of sent counts) was given.
	EvidenceSendLog = "sendlog"
	// EvidenceReceivedChain: the bounces do not carry the returned
	// message's Received header lines.
	EvidenceReceivedChain = "received_chain"
	// EvidenceDKIM: the returned messages carry no DKIM signature of our
	// domain, so the signature check cannot decide.
	EvidenceDKIM = "dkim"
	// EvidenceHistory: the input covers too short a period to learn the
	// account's normal rates.
	EvidenceHistory = "history"
)

// Step is one item of a response plan.
type Step struct {
	ID     string `json:"id"`     // stable, for scripts and tests: "change-password", "reason-userunknown"
	Title  string `json:"title"`  // what to do, in a few words
	Why    string `json:"why"`    // why it matters, for a non-expert
	How    string `json:"how"`    // how to do it
	Urgent bool   `json:"urgent"` // do it now, before anything else
}

// PlanContext is what the plan's texts may name. Every field is optional;
// the texts fall back to general words ("the account", "your domain").
type PlanContext struct {
	Account  string // the sending address or login, e.g. "shop@example.jp"
	Domain   string // our mail domain, e.g. "example.jp"
	Provider string // the mail or hosting provider's name
	// MissingEvidence lists the codes of the evidence the verdict lacked
	// (EvidenceSendLog, ...), for InsufficientEvidence.
	MissingEvidence []string
	// TopReasons are the most frequent bounce reasons, most frequent
	// first, for Ordinary.
	TopReasons []reason.Reason
	// Campaign is the account's own mailing seen in the bounces: the
	// Ordinary plan then starts by cleaning the list, the Hijacked,
	// Spoofed and Mixed plans end with it.
	Campaign *CampaignContext
}

// CampaignContext is a mailing of the account (a newsletter) seen in its
// bounces.
type CampaignContext struct {
	Start   time.Time // shown in its own location
	Subject string
	// Sent is the messages sent from Start (0 when unknown: no send log),
	// Bounced the failure notices, HardBounces those whose address can
	// never receive mail.
	Sent, Bounced, HardBounces int
}

// Plan returns the ordered response plan for verdict v in language l
// (English for any language but Japanese):
//
//   - Hijacked: stop the intruder (new password everywhere, app passwords,
//     forwarding rules), then clean up (reused passwords, malware, provider,
//     blocklists) and confirm the sending falls back.
//   - Spoofed: explain the backscatter, check the account, publish SPF,
//     DKIM and DMARC, file the backscatter, warn contacts.
//   - Ordinary: after a campaign (ctx.Campaign), first clean the list,
//     with its figures and how to get the suppression list; then one step
//     per reason in ctx.TopReasons, from [For]. The other plans (but
//     InsufficientEvidence) end with the list's cleaning when a campaign
//     of the account was seen beside the hijack or the forgery.
//   - Mixed: the hijack steps, then the spoofing steps they do not cover.
//   - InsufficientEvidence: one step per code in ctx.MissingEvidence telling
//     what to collect, then the cautious steps.
//
// An unknown verdict gets the InsufficientEvidence plan: when the verdict is
// not known, collecting evidence and acting cautiously is the safe advice.
func Plan(v Verdict, l Lang, ctx PlanContext) []Step {
	p := planner{texts: planTexts(l), fill: placeholders(l, ctx), l: l, domainGiven: strings.TrimSpace(ctx.Domain) != ""}
	var campaign []Step
	if c := ctx.Campaign; c != nil {
		key := campaignCleanList
		switch {
		case v != Ordinary:
			key = campaignCleanListBeside
		case c.Sent <= 0:
			key = campaignCleanListNoLog
		}
		campaign = []Step{p.step(campaignCleanList, key, false, "")}
	}
	switch v {
	case Hijacked:
		return append(p.steps(hijackSteps), campaign...)
	case Spoofed:
		return append(p.steps(spoofSteps), campaign...)
	case Ordinary:
		return append(campaign, p.ordinary(ctx.TopReasons)...)
	case Mixed:
		return append(p.mixed(), campaign...)
	}
	return p.insufficient(ctx.MissingEvidence)
}

// The steps of each plan, in order. A step's urgency is part of its
// definition, the same in every plan it appears in. These tables are never
// written after initialisation.
var (
	hijackSteps = []stepDef{
		{"change-password", true},
		{"set-everywhere", true},
		{"tell-colleagues", true},
		{"revoke-app-passwords", true},
		{"remove-forwarding", true},
		{"change-reused-passwords", false},
		{"scan-malware", false},
		{"tell-provider", false},
		{"watch-sent-rate", false},
		{"check-blocklists", false},
		{"do-not-just-filter", false},
	}
	spoofSteps = []stepDef{
		{"backscatter-explained", false},
		{"check-password", false},
		{"publish-spf-dkim-dmarc", false},
		{"file-backscatter", false},
		{"warn-contacts", false},
		{"report-to-provider", false},
	}
	// coveredInMixed maps a spoofing step to the hijack step that already
	// does its work, so that the mixed plan says it once.
	coveredInMixed = map[string]string{
		"check-password":     "change-password",
		"report-to-provider": "tell-provider",
	}
	// evidenceSteps maps a missing-evidence code to the step that collects it.
	evidenceSteps = map[string]string{
		EvidenceSendLog:       "collect-sendlog",
		EvidenceReceivedChain: "collect-received-chain",
		EvidenceDKIM:          "collect-dkim",
		EvidenceHistory:       "collect-history",
	}
	cautiousSteps = []stepDef{
		{"change-password-if-unsure", true},
		{"rerun-scan", false},
		{"do-not-just-filter", false},
	}
)

type stepDef struct {
	id     string
	urgent bool
}

// stepText is one step's texts in one language, with placeholders
// {account}, {domain}, {domainarg}, {provider} and {code}.
type stepText struct {
	title, why, how string
}

// Steps whose texts are not looked up by their ID alone.
const (
	mixedBackscatter = "backscatter-explained/mixed" // the backscatter step's texts in the mixed plan
	collectOther     = "collect-other"               // an unknown missing-evidence code
	collectMore      = "collect-more"                // insufficient evidence, no code given
	reviewReasons    = "review-reasons"              // ordinary, no reason given
	// ordinary after a campaign, with and without the sent count
	campaignCleanList      = "clean-list-after-campaign"
	campaignCleanListNoLog = "clean-list-after-campaign/nolog"
	// beside a hijack or a forgery
	campaignCleanListBeside = "clean-list-after-campaign/beside"
)

type planner struct {
	texts       map[string]stepText
	fill        []string // placeholder, value, ... for strings.NewReplacer
	l           Lang
	domainGiven bool
}

// step renders the step with the given ID from the texts under key.
func (p planner) step(id, key string, urgent bool, code string) Step {
	t := p.texts[key]
	r := strings.NewReplacer(append(p.fill[:len(p.fill):len(p.fill)], "{code}", code)...)
	s := Step{ID: id, Title: r.Replace(t.title), Why: r.Replace(t.why), How: r.Replace(t.how), Urgent: urgent}
	if !p.domainGiven && strings.Contains(s.How, "DOMAIN") {
		s.How += p.texts["note-domain"].how
	}
	return s
}

func (p planner) steps(defs []stepDef) []Step {
	out := make([]Step, 0, len(defs))
	for _, d := range defs {
		out = append(out, p.step(d.id, d.id, d.urgent, ""))
	}
	return out
}

func (p planner) mixed() []Step {
	out := p.steps(hijackSteps)
	have := map[string]bool{}
	for _, s := range out {
		have[s.ID] = true
	}
	for _, d := range spoofSteps {
		if have[d.id] || have[coveredInMixed[d.id]] {
			continue
		}
		key := d.id
		if d.id == "backscatter-explained" {
			key = mixedBackscatter
		}
		out = append(out, p.step(d.id, key, d.urgent, ""))
		have[d.id] = true
	}
	return out
}

func (p planner) ordinary(reasons []reason.Reason) []Step {
	var out []Step
	seen := map[reason.Reason]bool{}
	for _, r := range reasons {
		if r == "" || seen[r] {
			continue
		}
		seen[r] = true
		e := For(r, p.l)
		out = append(out, Step{ID: "reason-" + string(r), Title: e.Title, Why: e.Meaning, How: e.Action})
	}
	if len(out) == 0 {
		out = append(out, p.step(reviewReasons, reviewReasons, false, ""))
	}
	return out
}

func (p planner) insufficient(missing []string) []Step {
	var out []Step
	seen := map[string]bool{}
	for _, c := range missing {
		c = strings.ToLower(strings.TrimSpace(c))
		if c == "" || seen[c] {
			continue
		}
		seen[c] = true
		if id, ok := evidenceSteps[c]; ok {
			out = append(out, p.step(id, id, false, ""))
			continue
		}
		out = append(out, p.step("collect-"+c, collectOther, false, c))
	}
	if len(out) == 0 {
		out = append(out, p.step(collectMore, collectMore, false, ""))
	}
	return append(out, p.steps(cautiousSteps)...)
}

// placeholders fills the texts' placeholders from ctx, or with general
// words where ctx leaves a field empty.
func placeholders(l Lang, ctx PlanContext) []string {
	account, domain, provider := strings.TrimSpace(ctx.Account), strings.TrimSpace(ctx.Domain), strings.TrimSpace(ctx.Provider)
	domainArg := domain
	if domainArg == "" {
		domainArg = "DOMAIN"
	}
	if l == Japanese {
		switch account {
		case "":
			account = "このアカウント"
		default:
			account = "アカウント「" + account + "」"
		}
		if domain == "" {
			domain = "あなたのドメイン"
		}
		if provider == "" {
			provider = "ご利用のメールサービスの提供会社"
		}
	} else {
		if account == "" {
			account = "the account"
		}
		if domain == "" {
			domain = "your domain"
		}
		if provider == "" {
			provider = "your mail provider"
		}
	}
	out := []string{"{account}", account, "{domain}", domain, "{domainarg}", domainArg, "{provider}", provider}
	if c := ctx.Campaign; c != nil {
		rate := ""
		if c.Sent > 0 {
			rate = strconv.FormatFloat(100*float64(c.Bounced)/float64(c.Sent), 'f', 1, 64) + "%"
		}
		start := c.Start.Format("2006-01-02 15:04")
		out = append(out, "{cstart}", start, "{csubject}", c.Subject, "{csent}", groupDigits(c.Sent),
			"{cbounced}", groupDigits(c.Bounced), "{chard}", groupDigits(c.HardBounces), "{crate}", rate)
	}
	return out
}

// groupDigits writes n with thousands separators (5,200).
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + groupDigits(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// planTexts returns the step texts for l; any language but Japanese gets
// English.
func planTexts(l Lang) map[string]stepText {
	if l == Japanese {
		return planJapanese
	}
	return planEnglish
}

// planEnglish holds the English step texts. It is never written after
// initialisation.
var planEnglish = map[string]stepText{
	// hijacked
	"change-password": {
		"Change the password of {account} now",
		"Someone is sending spam through our server with this account's password. Until the password changes, every hour lets more spam out, and each message damages the reputation of your domain and your server.",
		"Make a new, long, random password with `bouncewatch passgen` (or your password manager) and set it in the control panel or webmail of {provider}. Do not reuse an old password or a variation of one. If you cannot sign in, ask {provider} to reset the password or to stop sending for the account.",
	},
	"set-everywhere": {
		"Put the new password into every PC, phone and mail client",
		"Devices that still hold the old password keep failing to sign in; some mail apps then retry without end, get the account locked, or hide that your mail is not being sent.",
		"Update Outlook, Thunderbird, Apple Mail, the phone's mail app, any printer or scanner that sends mail, the web shop or website that sends order mail, and every other place that signs in as {account}. Keep the password in a password manager, not in a note on the PC.",
	},
	"tell-colleagues": {
		"Tell the colleagues who share the account",
		"When several people use the account, one who does not know of the change keeps typing the old password. One of their PCs may also be where the password was stolen.",
		"Tell them in person, by phone or in chat (not by mail to the hijacked account) that the password has changed, and give them the new one by a safe route. Ask whether anyone recently saw an odd sign-in page, an invoice attachment, or a page saying the mailbox was full.",
	},
	"revoke-app-passwords": {
		"Revoke app passwords and turn on multi-factor sign-in",
		"App passwords and signed-in sessions keep working after the main password changes, so an intruder who made one stays in. With multi-factor sign-in, a stolen password alone is no longer enough.",
		"In the account's security settings at {provider}, delete every app password and sign out all devices and sessions, then create new app passwords only for the devices that need them. Turn on multi-factor sign-in (an authenticator app or a code by SMS) if the provider offers it. Where the server allows it, turn off sign-in methods the account does not use, such as POP, IMAP or SMTP with a plain password.",
	},
	"remove-forwarding": {
		"Remove forwarding and inbox rules the intruder may have added",
		"Intruders often add a rule that forwards all mail to them, or one that hides replies and bounces, so that they keep reading your mail and you notice nothing, even after the password has changed.",
		"In webmail and in every mail client, open the settings for forwarding, automatic replies, filters and inbox rules, and delete anything you did not set up yourself: above all rules that forward to outside addresses or move mail to Trash, RSS or archive folders. Check the reply-to address and the signature too.",
	},
	"change-reused-passwords": {
		"Change every other service that used the same password",
		"Stolen passwords are tried on other services automatically. A service that can reset this mailbox's password (the hosting control panel, the domain registrar, the recovery mail account) would give the intruder the mailbox back.",
		"List the services where you used the same or a similar password. Change first those that could reset this mailbox: the hosting or provider control panel, the domain registrar, the recovery address and the account behind the recovery phone number. Then online banking, the web shop's administration and the rest, each with its own password from `bouncewatch passgen`.",
	},
	"scan-malware": {
		"Scan the PCs for malware",
		"The password may have been stolen by malware (Emotet or an information stealer, for example) on a PC that uses the account. If so, it steals the new password too.",
		"Update the antivirus software and run a full scan on every PC that used the account; on Windows, Microsoft Defender's offline scan helps too. If something is found, clean the PC (or have it cleaned) before typing the new password on it, then change the password once more.",
	},
	"tell-provider": {
		"Tell {provider}",
		"The provider may already have limited the account or the server, can see sign-ins and sending from its side, and can lift its blocks once the problem is fixed. Telling them early also shows that you are dealing with it.",
		"Send them the bouncewatch report (`bouncewatch scan --format html` makes one file to attach), the time the surge began, and what you have done. Ask whether they see sign-ins from unknown IP addresses and whether the server is on a blocklist.",
	},
	"watch-sent-rate": {
		"Watch the sent-per-hour graph fall back",
		"If spam keeps leaving after the password change, the intruder still has another way in: an app password, another account, malware, or a hole in a web form.",
		"Over the next hours, run `bouncewatch scan` again with the newest send log and bounces, and check that the sent-per-hour count for {account} returns to its usual level. Bounces for spam already sent keep arriving for a day or two; what must fall is the sent count. If spam is still waiting in the mail queue, ask the administrator to delete it.",
	},
	"check-blocklists": {
		"Check blocklists and the domain's reputation",
		"The spam may have put your server's IP address or your domain on blocklists. Then even your normal mail is refused, or lands in spam folders, for days after the hijack ends.",
		"Look up the sending server's IP address and your domain with a blocklist checker (MXToolbox, Spamhaus, or the provider's own tools), and in Google Postmaster Tools and Microsoft SNDS if you use them. Ask for removal only after the spam has stopped; most lists remove an entry on request or after some time.",
	},
	"do-not-just-filter": {
		"Do not just delete the bounces with a filter rule",
		"The bounces are a symptom. Hiding them does not stop the spam: it keeps going out in your name, your domain ends up in recipients' spam folders, and your customers stop seeing your real mail.",
		"Keep the bounces until the steps above are done and the sent count has fallen; moving them into a separate folder to keep the inbox usable is fine. They are the evidence for your provider and for `bouncewatch scan`.",
	},

	// spoofed
	"backscatter-explained": {
		"These bounces are backscatter: nothing was sent from our server",
		"Spammers put your address as the sender of mail they send from other computers. When a recipient's server refuses such mail, the bounce goes to the address given as the sender, which is yours, although you never sent the message. Neither your password nor your server was used.",
		"There is nothing to answer and nobody to apologise to. To be sure, read the evidence in the report: the returned messages are not in your send log and did not pass through your servers.",
	},
	mixedBackscatter: {
		"Part of the bounces is backscatter for forged mail",
		"Besides the spam that left through our server, spammers also put your address on mail sent from other computers, and the bounces of that mail come back to you as well. Those bounces were not caused by your server; the report counts them separately.",
		"Deal with the hijack first (the steps above). The steps below reduce the backscatter.",
	},
	"check-password": {
		"Check the account anyway",
		"Forging an address needs no password, but a stolen password and forgery can come together. The check takes a few minutes.",
		"Look at the recent sign-ins and the sent folder of {account} at {provider}. If anything is unfamiliar, or the password is old or also used elsewhere, change it to one made by `bouncewatch passgen`.",
	},
	"publish-spf-dkim-dmarc": {
		"Publish or tighten SPF, DKIM and DMARC for {domain}",
		"These DNS records tell receiving servers which servers may send mail for your domain. With them in place, receivers refuse the forgeries while they are being delivered, so no bounce comes back to you. Without them, receivers accept the forgery first and bounce it to you later.",
		"Run `bouncewatch check-domain {domainarg}`: it checks the records live (SPF syntax and its limit of 10 DNS lookups, the DMARC policy, DKIM selectors, MX) and proposes the records to publish. Give them to whoever manages your DNS. Start DMARC with p=none and a report address (rua), make sure every legitimate sender (web shop, newsletter service) passes, then move on to p=quarantine and p=reject. End SPF with -all once every sender is listed.",
	},
	"file-backscatter": {
		"File the backscatter in a folder, without deleting it, until DMARC takes effect",
		"The forgeries do not stop at once: DNS changes take time, and some receivers ignore DMARC. A filter keeps the inbox usable; keeping the mail lets you see whether the volume falls, and notice a real bounce of your own among it.",
		"Make a rule that moves bounces from MAILER-DAEMON or postmaster about mail you did not send into a folder such as Backscatter. Do not let the rule delete them, and check the folder now and then with `bouncewatch scan`.",
	},
	"warn-contacts": {
		"Warn contacts whose PCs may have leaked your address",
		"Forgers often take names and addresses from the address book and mail of an infected PC, perhaps that of a customer or supplier who has written to you. Mail forged in your name, such as fake invoices, may also be reaching your customers.",
		"If the returned messages quote real conversations, or were addressed to your customers, tell those contacts that mail in your name with attachments or payment requests may be fake, and suggest that they scan their PCs for malware.",
	},
	"report-to-provider": {
		"Report the volume to {provider} if it is high",
		"Thousands of bounces a day fill the mailbox and its quota, and a provider can sometimes filter backscatter on its side.",
		"Send the report (`bouncewatch scan --format html`) and ask whether they can filter bounces that match no mail you sent (with BATV, for example), or raise the mailbox's quota.",
	},

	// ordinary
	campaignCleanList: {
		"Clean your list after the campaign of {cstart}",
		"Your campaign of {cstart} («{csubject}») had {crate} bounces ({cbounced} of {csent} messages); {chard} of them are hard bounces, addresses that will never receive mail. This is not a hijack and needs no password change. But mailing dead addresses again costs you your reputation: Gmail, Yahoo and the mobile carriers start refusing all your mail when more than about 2% of it bounces.",
		"Remove the hard-bounced addresses from the list before the next mailing. They are in the bounces themselves: `bouncewatch decode --json PATH | jq -r 'select(.kind == \"bounce\" and .hard_bounce) | .recipient' | sort -u > suppress.txt` gives the suppression list; import it into your shop's or newsletter tool's unsubscribe list. Drop an address whose mailbox is full after three mailings in a row, and confirm new sign-ups (double opt-in) so that mistyped addresses never enter the list.",
	},
	campaignCleanListNoLog: {
		"Clean your list after the campaign of {cstart}",
		"Your campaign of {cstart} («{csubject}») brought {cbounced} bounces; {chard} of them are hard bounces, addresses that will never receive mail. This is not a hijack and needs no password change. But mailing dead addresses again costs you your reputation: Gmail, Yahoo and the mobile carriers start refusing all your mail when more than about 2% of it bounces.",
		"Remove the hard-bounced addresses from the list before the next mailing. They are in the bounces themselves: `bouncewatch decode --json PATH | jq -r 'select(.kind == \"bounce\" and .hard_bounce) | .recipient' | sort -u > suppress.txt` gives the suppression list; import it into your shop's or newsletter tool's unsubscribe list. With the send log (--sendlog) the report also gives the campaign's bounce rate.",
	},
	campaignCleanListBeside: {
		"Then clean your list after the campaign of {cstart}",
		"Beside the rest, your own campaign of {cstart} («{csubject}») brought {cbounced} bounces, {chard} of them hard bounces: addresses that will never receive mail. Those are the ordinary failures of a mailing, not the intruder's or the forger's mail.",
		"Once the steps above are done, remove the hard-bounced addresses from the list before the next mailing: `bouncewatch decode --json PATH | jq -r 'select(.kind == \"bounce\" and .hard_bounce) | .recipient' | sort -u > suppress.txt` gives them all (check it for addresses of the intruder's or the forger's run before importing it into your shop's or newsletter tool's unsubscribe list).",
	},
	reviewReasons: {
		"Read what each bounce reason means",
		"These bounces look like the everyday failures of mail that was really sent: addresses that no longer exist, full mailboxes and the like. Each reason calls for its own fix.",
		"Run `bouncewatch decode PATH` to see the reason of each bounce, and `bouncewatch reasons` for what to do about each reason.",
	},

	// insufficient evidence
	"collect-sendlog": {
		"Pass the outbound mail log with --sendlog",
		"The send log is the strongest evidence: it shows whether the bounced messages really left through our server, which account sent them, and from which IP addresses. Without it, a hijack and a forgery look much alike.",
		"Run `bouncewatch scan --mail ... --sendlog PATH`. With Postfix the log is /var/log/mail.log (or maillog, with the rotated .1 and .gz files, or the output of `journalctl -u postfix`); with Exim it is the mainlog (/var/log/exim4/mainlog or /var/log/exim/main.log); with Sendmail, /var/log/maillog. With a hosting service, download the CSV of sent counts per hour and account from its control panel, or ask {provider} for the send log of {account}.",
	},
	"collect-received-chain": {
		"Give bouncewatch the bounces whole, with the returned message",
		"The Received header lines of the returned message record the servers it passed through; if it went through our relay, it was ours. Many bounces carry only a summary, and forwarding a bounce or copying its text loses the headers.",
		"Give bouncewatch the bounces as they are in the mailbox: the Maildir folder, an mbox export, or .eml files saved with Save As. Forwarded mail and copied text are not evidence.",
	},
	"collect-dkim": {
		"Sign outgoing mail with DKIM",
		"A DKIM signature of your domain in a returned message proves that it was sent through your servers; forgers cannot make one. While your mail is not signed, this check cannot decide.",
		"Turn on DKIM signing at {provider} or on your server (OpenDKIM or rspamd with Postfix) and publish the public key in DNS; `bouncewatch check-domain {domainarg}` shows whether it is in place. The signature helps with the bounces of mail sent from then on.",
	},
	"collect-history": {
		"Keep the bounces and logs of normal days too",
		"A surge is measured against what is normal for the account. With only the days of the flood, bouncewatch cannot learn a baseline and falls back on fixed thresholds, which are coarse.",
		"Do not delete old bounces and rotated logs: pass several weeks to `bouncewatch scan` (older files go with --mail and --sendlog like the rest), or scan again after a week of normal mail.",
	},
	collectOther: {
		"Collect the missing evidence ({code})",
		"The verdict needs this evidence, and the input did not contain it.",
		"See the evidence list in the report for what is missing, add the data, and run `bouncewatch scan` again.",
	},
	collectMore: {
		"Collect more evidence",
		"The input does not show whether the account was hijacked, the address forged, or the bounces are ordinary.",
		"Add the outbound mail log (--sendlog), the bounces as whole messages, and earlier, normal days, and run `bouncewatch scan` again.",
	},
	"change-password-if-unsure": {
		"If you are unsure, change the password anyway",
		"Until the evidence is complete, a hijack cannot be ruled out. Changing the password takes a few minutes; a hijack left running costs your domain its reputation.",
		"Make one with `bouncewatch passgen`, set it on every PC, phone and mail client that uses {account}, and check the account's forwarding and inbox rules for anything you did not set up.",
	},
	"rerun-scan": {
		"Run the scan again with the added evidence",
		"With the logs and the history, the verdict can tell a hijack from a forgery and say how sure it is.",
		"Run `bouncewatch scan --mail ... --sendlog ...` again; the plan then fits what really happened.",
	},

	// A note added to How when a command names DOMAIN and no domain is known.
	"note-domain": {"", "", " Replace DOMAIN with your domain name."},
}

// planJapanese holds the Japanese step texts. It is never written after
// initialisation.
var planJapanese = map[string]stepText{
	// hijacked
	"change-password": {
		"{account}のパスワードを今すぐ変更する",
		"第三者があなたのアカウントのパスワードを使って、こちらのサーバーから迷惑メールを送っています。パスワードを変えるまで、1時間ごとに迷惑メールが送られ続け、そのたびにドメインとサーバーの信用が落ちていきます。",
		"`bouncewatch passgen`（またはパスワード管理ソフト）で長くランダムなパスワードを作り、{provider}の管理画面やWebメールで設定してください。以前のパスワードや、その一部を変えただけのものは使わないでください。ログインできない場合は、{provider}にパスワードのリセットか、このアカウントからの送信の停止を依頼してください。",
	},
	"set-everywhere": {
		"新しいパスワードを、すべてのパソコン・スマートフォン・メールソフトに設定する",
		"古いパスワードのままの機器は、ログインに失敗し続けます。メールソフトによっては再試行を繰り返してアカウントがロックされたり、メールが送れていないことに気づけなかったりします。",
		"Outlook、Thunderbird、Apple メール、スマートフォンのメールアプリのほか、メールを送る複合機やスキャナー、注文メールを送るネットショップやWebサイトなど、{account}でログインしているすべての場所を更新してください。パスワードはパソコン上のメモではなく、パスワード管理ソフトに保存してください。",
	},
	"tell-colleagues": {
		"アカウントを共有している同僚に知らせる",
		"複数の人が同じアカウントを使っている場合、変更を知らない人が古いパスワードを入力し続けてしまいます。また、その人のパソコンが、パスワードを盗まれた場所かもしれません。",
		"乗っ取られたアカウント宛てのメールではなく、直接、電話、チャットなどで、パスワードを変更したことを伝え、新しいパスワードは安全な方法で渡してください。最近、見慣れないログイン画面や、請求書を装った添付ファイル、「メールボックスがいっぱいです」といったページを見なかったかも聞いてください。",
	},
	"revoke-app-passwords": {
		"アプリパスワードを取り消し、多要素認証を有効にする",
		"アプリパスワードやログイン済みのセッションは、メインのパスワードを変えても有効なままです。侵入者がそれを作っていれば、入り込んだままになります。多要素認証（2段階認証）を有効にすれば、盗まれたパスワードだけではログインできなくなります。",
		"{provider}のアカウントのセキュリティ設定で、アプリパスワードをすべて削除し、すべての端末とセッションからサインアウトさせてから、必要な機器の分だけ新しく作り直してください。提供会社が対応していれば、多要素認証（認証アプリやSMSのコード）を有効にしてください。サーバーで設定できる場合は、このアカウントが使っていないログイン方式（パスワードだけで使うPOP・IMAP・SMTPなど）も無効にしてください。",
	},
	"remove-forwarding": {
		"侵入者が追加したかもしれない転送設定や受信ルールを削除する",
		"侵入者はよく、すべてのメールを自分に転送するルールや、返信やエラーメールを隠すルールを追加します。そうすると、パスワードを変えた後もあなたのメールが読まれ続け、異変にも気づきにくくなります。",
		"Webメールとすべてのメールソフトで、転送、自動応答、フィルター、受信ルール（仕分けルール）の設定を開き、自分で作っていないものを削除してください。特に、外部のアドレスへ転送するルールや、メールをごみ箱・RSS・アーカイブなどのフォルダーへ移すルールに注意してください。返信先アドレス（Reply-To）と署名も確認してください。",
	},
	"change-reused-passwords": {
		"同じパスワードを使っていた他のサービスもすべて変更する",
		"盗まれたパスワードは、他のサービスでも自動的に試されます。このメールボックスのパスワードをリセットできるサービス（レンタルサーバーの管理画面、ドメインの登録業者、復旧用のメールアドレスなど）を乗っ取られると、メールボックスも再び奪われてしまいます。",
		"同じパスワードや似たパスワードを使っていたサービスを書き出してください。まず、このメールボックスをリセットできるもの（レンタルサーバーや提供会社の管理画面、ドメインの登録業者、復旧用のアドレスや電話番号のアカウント）を変更し、次にネットバンキング、ネットショップの管理画面などを、それぞれ `bouncewatch passgen` で作った別々のパスワードに変更してください。",
	},
	"scan-malware": {
		"パソコンのウイルス（マルウェア）検査をする",
		"パスワードは、アカウントを使っているパソコンに入り込んだマルウェア（Emotetや情報を盗むタイプのウイルスなど）に盗まれたのかもしれません。その場合、新しいパスワードも同じように盗まれます。",
		"アカウントを使ったすべてのパソコンで、ウイルス対策ソフトを最新にしてフルスキャンを実行してください。Windowsでは Microsoft Defender のオフラインスキャンも役立ちます。何か見つかった場合は、新しいパスワードを入力する前にパソコンを駆除し（必要なら専門の業者に依頼し）、その後もう一度パスワードを変更してください。",
	},
	"tell-provider": {
		"{provider}に連絡する",
		"提供会社は、すでにアカウントやサーバーの送信を制限しているかもしれません。提供会社の側からログインや送信の記録を確認でき、問題が解決すればブロックを解除してもらえます。早めに連絡すれば、対応中であることも伝わります。",
		"bouncewatch のレポート（`bouncewatch scan --format html` で、添付できるファイルが1つできます）、急増が始まった時刻、実施した対策を送ってください。見慣れないIPアドレスからのログインがないか、サーバーがブロックリストに載っていないかも確認してもらってください。",
	},
	"watch-sent-rate": {
		"1時間あたりの送信数のグラフが元に戻るのを確認する",
		"パスワードを変えても迷惑メールの送信が止まらない場合、侵入者には別の入り口（アプリパスワード、別のアカウント、マルウェア、Webフォームの欠陥など）が残っています。",
		"これから数時間、最新の送信ログとエラーメールで `bouncewatch scan` をもう一度実行し、{account}の1時間あたりの送信数が普段の水準に戻ることを確かめてください。すでに送られた迷惑メールへのエラーメールは1〜2日届き続けます。減るべきなのは送信数です。メールキューに迷惑メールが残っている場合は、管理者に削除を依頼してください。",
	},
	"check-blocklists": {
		"ブロックリストとドメインの評判を確認する",
		"迷惑メールが原因で、サーバーのIPアドレスやドメインがブロックリストに載ることがあります。そうなると、乗っ取りが終わった後も数日間、普段のメールまで拒否されたり、迷惑メールフォルダーに入れられたりします。",
		"送信サーバーのIPアドレスとドメインを、ブロックリストの検索サービス（MXToolbox、Spamhausなど）や提供会社のツールで調べてください。Google Postmaster Tools や Microsoft SNDS を使っていれば、そちらも確認してください。解除の申請は、迷惑メールが止まってから行ってください。多くのリストは、申請するか、しばらく経てば解除されます。",
	},
	"do-not-just-filter": {
		"フィルタールールでエラーメールを削除するだけで済ませない",
		"エラーメールは症状にすぎません。隠しても迷惑メールは止まらず、あなたの名前で送られ続けます。その結果、あなたのドメインのメールが相手の迷惑メールフォルダーに入るようになり、お客様に本当のメールが届かなくなります。",
		"上の手順が終わり、送信数が下がるまで、エラーメールは残しておいてください。受信箱を使いやすくするために別のフォルダーへ移すのは構いません。提供会社への説明や `bouncewatch scan` の証拠になります。",
	},

	// spoofed
	"backscatter-explained": {
		"このエラーメールはバックスキャッターで、こちらのサーバーからは何も送られていません",
		"迷惑メールの送信者が、別のコンピューターから送るメールの差出人に、あなたのアドレスを勝手に使っています。受信側のサーバーがそのメールを拒否すると、差出人として書かれたあなたのアドレスにエラーメールが返ってきます。あなたが送ったメールではなく、あなたのパスワードやサーバーが使われたわけでもありません。",
		"エラーメールに返信したり、お詫びを送ったりする必要はありません。念のため、レポートの証拠を読んで、返ってきたメールが送信ログになく、こちらのサーバーを通っていないことを確認してください。",
	},
	mixedBackscatter: {
		"エラーメールの一部は、偽装メールへのバックスキャッター",
		"こちらのサーバーから送られた迷惑メールのほかに、別のコンピューターからあなたのアドレスを差出人に偽装して送られたメールもあり、そのエラーメールも届いています。これらはこちらのサーバーが原因ではなく、レポートでは別に数えています。",
		"まず乗っ取りへの対策（上の手順）を済ませてください。以下の手順で、バックスキャッターを減らせます。",
	},
	"check-password": {
		"念のため、アカウントも確認する",
		"アドレスの偽装にパスワードは必要ありませんが、パスワードの盗難と偽装が同時に起きることもあります。確認は数分で済みます。",
		"{provider}の管理画面やWebメールで、{account}の最近のログイン履歴と送信済みフォルダーを確認してください。見覚えのないものがある場合や、パスワードが古い、または他のサービスと同じ場合は、`bouncewatch passgen` で作ったパスワードに変更してください。",
	},
	"publish-spf-dkim-dmarc": {
		"{domain}のSPF・DKIM・DMARCを設定する（または厳しくする）",
		"これらのDNSレコードは、どのサーバーがあなたのドメインのメールを送ってよいかを受信側に伝えます。設定されていれば、受信側は偽装メールを配送の時点で拒否するため、あなたにエラーメールは返ってきません。設定がないと、受信側は偽装メールをいったん受け取り、後からあなたにエラーメールを返してしまいます。",
		"`bouncewatch check-domain {domainarg}` を実行してください。SPF（書式と、DNS参照10回までの制限）、DMARCのポリシー、DKIMのセレクター、MXをその場で調べ、登録すべきレコードを提案します。それを、DNSを管理している方に渡してください。DMARCはまず p=none と集計レポートの送り先（rua）から始め、ネットショップやメルマガ配信サービスなどの正規の送信元がすべて認証に通ることを確かめてから、p=quarantine、p=reject へ進めてください。SPFは、送信元をすべて登録した後で -all にしてください。",
	},
	"file-backscatter": {
		"DMARCが効くまで、バックスキャッターを削除せずにフォルダーへ振り分ける",
		"偽装はすぐには止まりません。DNSの変更が行き渡るまで時間がかかり、DMARCを無視する受信側もあります。振り分ければ受信箱が使いやすくなり、メールを残しておけば、量が減っているか、あなた自身のメールのエラーが混じっていないかを確認できます。",
		"MAILER-DAEMON や postmaster から届く、送った覚えのないメールについてのエラーメールを、「バックスキャッター」などのフォルダーへ移すルールを作ってください。削除するルールにはせず、ときどき `bouncewatch scan` でそのフォルダーを確認してください。",
	},
	"warn-contacts": {
		"アドレスが漏れた可能性のある取引先に注意を呼びかける",
		"偽装メールの送信者は、ウイルスに感染したパソコンのアドレス帳やメールから名前とアドレスを集めることがよくあります。あなたとメールをやりとりしたお客様や取引先のパソコンかもしれません。あなたの名前で、偽の請求書などがお客様に送られている可能性もあります。",
		"返ってきた元のメールに実際のやりとりが引用されていたり、宛先があなたのお客様だったりする場合は、その方々に、あなたの名前で届く添付ファイル付きのメールや支払いの依頼は偽物の可能性があると伝え、パソコンのウイルス検査をお勧めしてください。",
	},
	"report-to-provider": {
		"量が多い場合は{provider}に報告する",
		"1日に何千通ものエラーメールが届くと、メールボックスの容量を圧迫します。提供会社の側でバックスキャッターを遮断できる場合もあります。",
		"レポート（`bouncewatch scan --format html`）を送り、こちらが送ったメールに対応しないエラーメールを遮断できないか（BATVなど）、メールボックスの容量を増やせないかを相談してください。",
	},

	// ordinary
	campaignCleanList: {
		"{cstart} の一斉送信のあと、配信リストを整理する",
		"{cstart} の一斉送信（「{csubject}」）では {csent} 通のうち {cbounced} 件（{crate}）がエラーになり、そのうち {chard} 件は宛先が存在しないなど二度と届かないアドレス（ハードバウンス）です。乗っ取りではないので、このためにパスワードを変更する必要はありません。ただし、届かないアドレスに送り続けると送信元の評判が下がり、エラーが約2%を超えると Gmail、Yahoo!、携帯キャリアがあなたのメールをまとめて拒否し始めます。",
		"次の配信の前に、ハードバウンスしたアドレスをリストから削除してください。対象のアドレスはエラーメールから取り出せます：`bouncewatch decode --json PATH | jq -r 'select(.kind == \"bounce\" and .hard_bounce) | .recipient' | sort -u > suppress.txt` で配信停止リストができます。ネットショップやメール配信ツールの配信停止リストに取り込んでください。メールボックスが満杯のアドレスは3回続けて届かなければ外し、新規登録には確認メール（ダブルオプトイン）を使って、打ち間違いのアドレスがリストに入らないようにしてください。",
	},
	campaignCleanListNoLog: {
		"{cstart} の一斉送信のあと、配信リストを整理する",
		"{cstart} の一斉送信（「{csubject}」）で {cbounced} 件のエラーがあり、そのうち {chard} 件は二度と届かないアドレス（ハードバウンス）です。乗っ取りではないので、このためにパスワードを変更する必要はありません。ただし、届かないアドレスに送り続けると送信元の評判が下がり、エラーが約2%を超えると Gmail、Yahoo!、携帯キャリアがあなたのメールをまとめて拒否し始めます。",
		"次の配信の前に、ハードバウンスしたアドレスをリストから削除してください。対象のアドレスはエラーメールから取り出せます：`bouncewatch decode --json PATH | jq -r 'select(.kind == \"bounce\" and .hard_bounce) | .recipient' | sort -u > suppress.txt` で配信停止リストができます。送信ログ（--sendlog）を指定すると、エラー率もわかります。",
	},
	campaignCleanListBeside: {
		"続いて、{cstart} の一斉送信の配信リストを整理する",
		"このほかに、あなた自身の {cstart} の一斉送信（「{csubject}」）で {cbounced} 件のエラーがあり、そのうち {chard} 件は二度と届かないアドレス（ハードバウンス）です。これは一斉送信のよくあるエラーで、侵入者やなりすましのメールではありません。",
		"上の手順が済んだら、次の配信の前にハードバウンスしたアドレスをリストから削除してください：`bouncewatch decode --json PATH | jq -r 'select(.kind == \"bounce\" and .hard_bounce) | .recipient' | sort -u > suppress.txt` で一覧ができます（侵入者やなりすましの送信先が混じっていないか確かめてから、ネットショップやメール配信ツールの配信停止リストに取り込んでください）。",
	},
	reviewReasons: {
		"エラーの理由ごとの意味を確認する",
		"このエラーメールは、実際に送ったメールのよくある失敗（存在しないアドレス、満杯のメールボックスなど）に見えます。理由ごとに、必要な対応が違います。",
		"`bouncewatch decode PATH` でエラーメールごとの理由を表示し、`bouncewatch reasons` でそれぞれの対応方法を確認してください。",
	},

	// insufficient evidence
	"collect-sendlog": {
		"送信ログを --sendlog で渡す",
		"送信ログは最も強い証拠です。エラーメールの元のメールが本当にこちらのサーバーから送られたのか、どのアカウントが、どのIPアドレスから送ったのかがわかります。送信ログがないと、乗っ取りと偽装はよく似て見えます。",
		"`bouncewatch scan --mail ... --sendlog PATH` のように実行してください。Postfix では /var/log/mail.log（または maillog と、ローテートされた .1 や .gz のファイル、`journalctl -u postfix` の出力）、Exim では mainlog（/var/log/exim4/mainlog や /var/log/exim/main.log）、Sendmail では /var/log/maillog です。レンタルサーバーをお使いの場合は、管理画面から時間ごと・アカウントごとの送信数のCSVをダウンロードするか、{provider}に{account}の送信ログを依頼してください。",
	},
	"collect-received-chain": {
		"エラーメールを、元のメールごとそのままの形で渡す",
		"返ってきた元のメールの Received ヘッダーには、メールが通ったサーバーが記録されています。こちらの中継サーバーを通っていれば、こちらから送られたメールです。要約しか含まないエラーメールも多く、転送したり本文をコピーしたりするとヘッダーが失われます。",
		"メールボックスにあるままのエラーメール（Maildirのフォルダー、mbox形式のエクスポート、「名前を付けて保存」した .eml ファイル）を bouncewatch に渡してください。転送したメールやコピーした文章は証拠になりません。",
	},
	"collect-dkim": {
		"送信するメールにDKIM署名を付ける",
		"返ってきたメールにあなたのドメインのDKIM署名があれば、こちらのサーバーから送られたことの証明になります。偽装する側には署名を作れません。あなたのメールに署名がない間は、この確認ができません。",
		"{provider}の設定、またはサーバー（Postfix なら OpenDKIM や rspamd）でDKIM署名を有効にし、公開鍵をDNSに登録してください。`bouncewatch check-domain {domainarg}` で設定されているかを確認できます。署名は、それ以降に送ったメールのエラーメールで役立ちます。",
	},
	"collect-history": {
		"普段の日のエラーメールとログも残しておく",
		"急増かどうかは、そのアカウントの普段の量と比べて判断します。急増した日のデータしかないと、基準となる量を学習できず、大まかな固定のしきい値で判断するしかありません。",
		"古いエラーメールやローテートされたログを削除せず、数週間分を `bouncewatch scan` に渡してください（古いファイルも --mail と --sendlog で同じように指定できます）。または、普段どおりのメールが1週間分たまってから、もう一度スキャンしてください。",
	},
	collectOther: {
		"足りない証拠を集める（{code}）",
		"判定にはこの証拠が必要ですが、入力には含まれていませんでした。",
		"レポートの証拠の一覧で何が足りないかを確認し、データを追加して `bouncewatch scan` をもう一度実行してください。",
	},
	collectMore: {
		"証拠を追加する",
		"入力からは、アカウントの乗っ取りか、アドレスの偽装か、普通のエラーかを判断できませんでした。",
		"送信ログ（--sendlog）、元のメールを含むエラーメール、それより前の普段の日のデータを追加して、`bouncewatch scan` をもう一度実行してください。",
	},
	"change-password-if-unsure": {
		"確信が持てない場合は、念のためパスワードを変更する",
		"証拠がそろうまでは、乗っ取りの可能性を否定できません。パスワードの変更は数分で済みますが、乗っ取りを放置するとドメインの信用を失います。",
		"`bouncewatch passgen` でパスワードを作り、{account}を使うすべてのパソコン・スマートフォン・メールソフトに設定してください。あわせて、自分で設定していない転送設定や受信ルールがないかも確認してください。",
	},
	"rerun-scan": {
		"証拠を追加して、もう一度スキャンする",
		"ログと過去のデータがそろえば、乗っ取りと偽装を区別し、判定がどのくらい確かかを示せます。",
		"`bouncewatch scan --mail ... --sendlog ...` をもう一度実行してください。対応手順も、実際に起きたことに合ったものになります。",
	},

	"note-domain": {"", "", "DOMAIN の部分は、あなたのドメイン名に置き換えてください。"},
}
