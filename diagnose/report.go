package diagnose

import (
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/reason"
)

// Report is the answer of a scan: one document, written as JSON by the
// scan command (--format json) and rendered as text or HTML.
type Report struct {
	GeneratedAt time.Time   `json:"generated_at"`
	Lang        advice.Lang `json:"lang"`
	Period      Period      `json:"period"`
	// TimeZone is the IANA name of the zone whose clock gives the hours
	// (Config.Location), e.g. "Asia/Tokyo"; "Local" for the system's.
	TimeZone string `json:"time_zone"`
	// LogZone says what clock the send log's times were read by, inferred
	// from messages found both in the log and in the bounces; null when
	// too few were.
	LogZone *LogZone `json:"log_zone"`
	Domains []string `json:"domains"` // ours: configured, or learnt from the log and the bounces' recipients
	// LearntRelays are the hosts (or, for a provider's many servers, the
	// organisations) most returned messages entered the mail system at,
	// taken for our relays from the bounces together.
	LearntRelays []string `json:"learnt_relays,omitempty"`
	// Overall is the most serious verdict among the accounts, for a
	// headline: hijacked, then mixed, spoofed, insufficient_evidence,
	// ordinary.
	Overall  advice.Verdict  `json:"overall"`
	Verdicts []AccountReport `json:"verdicts"`
	// OtherAccounts sums up the accounts past Config.MaxAccounts (all
	// ordinary or with few bounces: the list is sorted by seriousness).
	OtherAccounts int `json:"other_accounts"`

	// FakeBounces counts messages posing as bounces (phishing) that were
	// kept out of the evidence; FakeSamples shows the first of them.
	FakeBounces int          `json:"fake_bounces"`
	FakeSamples []FakeBounce `json:"fake_bounce_samples"`

	Surge       *SurgeSummary `json:"surge"` // of all bounces together
	Series      Series        `json:"series"`
	Reasons     []ReasonCount `json:"reasons"`
	TopDomains  []Count       `json:"top_domains"`  // bounced recipients' domains
	TopSubjects []Count       `json:"top_subjects"` // of the returned messages
	Inputs      Inputs        `json:"inputs"`
}

// Period is the time the input covers.
type Period struct {
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	Hours int       `json:"hours"`
	// Bounces and Log are the spans of each input (zero when absent).
	BouncesFrom time.Time `json:"bounces_from,omitzero"`
	BouncesTo   time.Time `json:"bounces_to,omitzero"`
	LogFrom     time.Time `json:"log_from,omitzero"`
	LogTo       time.Time `json:"log_to,omitzero"`
}

// AccountReport is the verdict on one sending account.
type AccountReport struct {
	Account    string         `json:"account"`   // the SASL login or the address
	Addresses  []string       `json:"addresses"` // envelope senders the log shows for it
	Verdict    advice.Verdict `json:"verdict"`
	Confidence float64        `json:"confidence"` // 0 to 1
	// Evidence is the verdict's reasons in plain sentences, in the
	// report's language; Signals are their stable codes for scripts.
	Evidence []string `json:"evidence"`
	Signals  []string `json:"signals"`
	// EvidenceSignals gives, beside each Evidence sentence, its signal
	// code ("" for a sentence without one): what a dashboard links each
	// sentence's bounces by.
	EvidenceSignals []string `json:"evidence_signals"`
	// EvidenceEn and EvidenceJa are the Evidence sentences in English
	// and in Japanese, whatever the report's language, aligned with
	// Evidence: what a dashboard shows in its reader's language.
	EvidenceEn []string `json:"evidence_en"`
	EvidenceJa []string `json:"evidence_ja"`
	// Missing lists the evidence the verdict lacked (advice.Evidence*).
	Missing []string `json:"missing_evidence"`

	Bounces        int `json:"bounces"` // failure notices (not fake, not auto-replies)
	BouncesOurs    int `json:"bounces_ours"`
	BouncesNotOurs int `json:"bounces_not_ours"`
	BouncesUnknown int `json:"bounces_unknown"`
	BouncesInLog   int `json:"bounces_in_log"` // found in the send log itself
	Complaints     int `json:"complaints"`     // ARF feedback reports
	Sent           int `json:"sent"`           // messages in the send log (or CSV counts)

	Surge           *SurgeSummary  `json:"surge"`             // of this account's bounces; null: none
	SentDuringSurge *WindowSummary `json:"sent_during_surge"` // null: no surge, or no log over it

	LoginIPs             int      `json:"login_ips"`
	NewLoginIPs          []string `json:"new_login_ips"`
	NewLoginNetworks     int      `json:"new_login_networks"`
	FailedLogins         int      `json:"failed_logins"`
	Recipients           int      `json:"recipients"`            // distinct recipients mailed
	FirstTimeRecipients  int      `json:"first_time_recipients"` // of them, first mailed in the surge window (with earlier history)
	AuthenticatedRelayed int      `json:"authenticated_relayed"` // bounces whose original passed our relay with ESMTPSA
	VolumeRefusals       int      `json:"volume_refusals"`       // bounces refusing the account for its volume or spam

	// Campaign describes the mailing behind the surge when one subject,
	// not of spam's shape, holds most of its bounces; null otherwise.
	Campaign *Campaign `json:"campaign"`

	Reasons []ReasonCount `json:"reasons"`
	Series  Series        `json:"series"`
	Plan    []advice.Step `json:"plan"`
}

// SurgeSummary describes a surge found.
type SurgeSummary struct {
	// Onset is when the surge began: the minute the rate stepped up
	// (OnsetPrecision "minute"), else the first hour of the surge ("hour").
	Onset          time.Time `json:"onset"`
	OnsetHour      time.Time `json:"onset_hour"` // the first hour of the surge
	OnsetPrecision string    `json:"onset_precision"`
	// OnsetFrom names the series the minute came from: "bounces", or
	// "sent" when the account's sent mail stepped up before its bounces
	// did (the send log covering the surge). Empty with precision "hour".
	OnsetFrom       string    `json:"onset_from,omitempty"`
	End             time.Time `json:"end"`
	Peak            time.Time `json:"peak"`
	PeakPerHour     float64   `json:"peak_per_hour"`
	BaselinePerHour float64   `json:"baseline_per_hour"`
	Total           float64   `json:"total"`
	Excess          float64   `json:"excess"`
	Method          string    `json:"method"`  // baseline or absolute
	PValue          float64   `json:"p_value"` // of the peak hour; −1 in the absolute method
}

// Campaign is one mailing of an account (a newsletter, an announcement)
// seen in its bounces: the subject most of them returned.
type Campaign struct {
	// Start is the earliest send time of its bounced messages (their
	// Date, else the bounce's), in the report's zone.
	Start   time.Time `json:"start"`
	Subject string    `json:"subject"`
	// Sent is the recipients of the account's mail in the send log over
	// the campaign's hours, from its first to its last bounced message (0
	// without a log); Bounced the failed recipients of the campaign's
	// bounces, BounceRate their ratio (0.06 is 6%), and HardBounces those
	// whose address can never receive mail.
	Sent        int     `json:"sent"`
	Bounced     int     `json:"bounced"`
	BounceRate  float64 `json:"bounce_rate"`
	HardBounces int     `json:"hard_bounces"`
	// Earlier are the same hours of earlier weeks in which the account
	// sent as much: a scheduled mailing.
	Earlier []time.Time `json:"earlier,omitempty"`
}

// WindowSummary is the sent volume over a surge's window.
type WindowSummary struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Observed float64   `json:"observed"`
	Expected float64   `json:"expected"`
	Ratio    float64   `json:"ratio"`
	Jump     bool      `json:"jump"`
	Method   string    `json:"method"`
}

// Series is the hourly counts over the report's period, bounces beside
// sent mail. Sent is null when there is no send log.
type Series struct {
	Start   time.Time `json:"start"`
	Bounced []float64 `json:"bounced"`
	Sent    []float64 `json:"sent"`
}

// ReasonCount is how many bounced recipients had a reason.
type ReasonCount struct {
	Reason  reason.Reason `json:"reason"`
	Count   int           `json:"count"`
	Title   string        `json:"title"`
	Summary string        `json:"summary"`
}

// Count is a value and how often it was seen.
type Count struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// FakeBounce is one message posing as a bounce.
type FakeBounce struct {
	Source    string   `json:"source"`
	Subject   string   `json:"subject"`
	From      string   `json:"from"`
	Reasons   []string `json:"reasons"`
	ReasonsJa []string `json:"reasons_ja"`
	// Codes are the reasons' stable codes (attrib.CodeFake…), for scripts.
	Codes []string `json:"codes"`
}

// Inputs tells what was read.
type Inputs struct {
	Messages    int       `json:"messages"`
	Bounces     int       `json:"bounces"` // messages decoded as bounces (all kinds)
	Records     int       `json:"records"` // bounced recipients
	NotBounces  int       `json:"not_bounces"`
	Failed      int       `json:"failed"`
	Errors      []string  `json:"errors"` // the first failures, "source: error"
	Delivered   int       `json:"delivered"`
	AutoReplies int       `json:"auto_replies"`
	Feedback    int       `json:"feedback"`
	Undated     int       `json:"undated"`        // bounces with no date: not in the series
	Outside     int       `json:"outside_period"` // bounces outside --since/--until
	Times       TimeStats `json:"times"`          // how the bounces were placed in time
	Log         LogStats  `json:"log"`
}

// LogStats tells what the send log gave.
type LogStats struct {
	Files    int      `json:"files"`
	Lines    int      `json:"lines"`
	Events   int      `json:"events"`
	Ignored  int      `json:"ignored"`
	Unknown  int      `json:"unknown"`
	Samples  []string `json:"unknown_samples"` // the first lines not understood
	Format   string   `json:"format"`
	Messages int      `json:"messages"` // outbound messages found
	Errors   []string `json:"errors"`
}
