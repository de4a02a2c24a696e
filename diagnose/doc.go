// Package diagnose answers the question a flooded mailbox asks: is the
// account hijacked (spam leaves through our own server with its stolen
// password), is someone forging our address (the bounces are backscatter
// for mail we never sent), or are these the ordinary failures of mail we
// did send?
//
// An [Analyzer] takes the outbound mail log ([Analyzer.AddEvent], events
// of package sendlog) and the messages of the mailbox ([Analyzer.AddMail],
// a [Mail] each) in any order, interleaved, and writes a [Report] at any
// time ([Analyzer.Report], as often as asked): one [AccountReport] per
// sending account with its verdict, a confidence, the evidence in plain
// sentences, the surge of bounces beside the sent volume, and the response
// plan of package advice. [Scan] does the whole job from file paths, as
// the scan command does; the live service keeps one Analyzer, feeds it as
// log lines and mail arrive and asks for a report every minute. Both are
// the same implementation.
//
// # Order independence
//
// The report depends on what was added, never on the order:
//   - A message is read once when it arrives: [Analyzer.Digest] keeps its
//     time, reasons, the addresses that may name its account and the
//     attribution's facts (attrib.Facts: Message-ID, the Received chain in
//     short, DKIM, BATV, authentication markers, the fake check's
//     answers), nothing of the decoded result. Digest reads nothing of the
//     log and is safe for concurrent use (Scan calls it in its decoding
//     workers); [Analyzer.AddDigest] takes the result. AddMail is both.
//   - The log's messages are joined by queue ID and indexed as they end;
//     those still open when a report is made are counted through an
//     overlay that the report drops, so a report in the middle of the log
//     changes nothing.
//   - Report judges every bounce again against the log known then
//     (attrib.Index.Judge, on every core): a bounce that came before the
//     log line of its message is found in the log once the line arrives.
//     What the bounces teach together (our domains from where they were
//     delivered, our relays from the entry host most of them share) is
//     learnt at that moment from all of them (attrib.Index.Learn). Samples
//     (errors, fakes) are the first by source name.
//
// A Report over 100,000 bounces and a log of a million lines costs about
// one CPU-second (BenchmarkReport: 1.0 s of CPU on the project's 2-core
// machine), well within a live service's minute; every bounce is judged
// again each time, so the cost grows with the bounces kept.
//
// # Seams
//
// One function decides when a mail is placed in time (mailTime); one
// shift is applied to every time of the log at report time (logShift),
// where an inferred zone offset of the log belongs.
//
// # Memory
//
// Per account the log keeps a compact, bounded state: sender addresses (at
// most 16), recipients as 8-byte hashes with their first time (at most
// 100,000), login addresses (at most 4,096), sent mail per quarter hour;
// about 480 bytes for an account with one message (with the index and the
// campaign features), so a log of 2,000,000 lines over a million accounts
// keeps about 460 MB (BenchmarkManyAccounts; it was 4.1 GB). The
// log's index takes about 120 bytes a message, a bounce's digest about a
// kilobyte. A service sets Config.SettleAfter: bounces older than that
// are judged once and folded into counts (settle.go), so its memory does
// not grow with the months of bounces it has seen, and its state can be
// saved and restored (MarshalMail, RestoreMail: checkpoint.go).
//
// # Accounts
//
// A sent message belongs to its SASL login when it has one (the thing an
// intruder steals), else to its envelope sender, else to the local user
// that submitted it. A bounce belongs to the account of the log entry its
// message was found in; otherwise to its address of ours (the returned
// message's Return-Path, the bounce's own recipient, the original From),
// mapped to the login that sends as that address in the log.
//
// # Signals
//
// Per account, over the bounce surge found by surge.Detect (the window
// starts two hours before its onset: mail is sent before it bounces):
//   - attribution of each bounce (package attrib): ours, not ours, unknown;
//     fake bounces (phishing posing as a bounce) are counted apart and kept
//     out of the evidence;
//   - the sent volume over the window against its own baseline
//     (surge.CheckWindow);
//   - SASL logins from IP addresses (and networks: /24, /48) never seen for
//     the account before the window, when the log has earlier history;
//   - first-time recipients: addresses the account had never mailed before;
//   - authenticated submission (ESMTPSA) through our relay in the returned
//     Received chains;
//   - refusals of the account for its volume by our server or provider
//     (hosting panels' "exceeded the max emails per hour", Microsoft 365's
//     "5.1.8 bad outbound sender" and "5.7.501 spam abuse detected", Gmail's
//     "daily user sending limit exceeded").
//
// # A verdict from the bounces alone
//
// Without a send log over the surge (the owner rents a mailbox and has
// none), the returned messages decide (issue 11 §1):
//   - our relays are the configured ones, the log's, hosts in our domains,
//     and the entry host (where a message entered the mail system: its
//     oldest Received) that most bounces claiming to be ours share, when
//     the submissions there were authenticated or signed by us; a
//     provider with many servers (Microsoft 365) is voted by organisation
//     and counts for authenticated entries only;
//   - a returned message that entered our relay by an authenticated
//     submission — RFC 3848 ESMTPA/ESMTPSA, "(Authenticated sender: …)",
//     Microsoft 365's X-MS-Exchange-Organization-AuthAs: Internal,
//     X-Authenticated-User, cPanel's X-Get-Message-Sender-Via
//     authenticated_id — and carries our DKIM signature is ours; client
//     networks behind those submissions that the account's earlier bounces
//     never showed (or, with no earlier bounces, three networks or more)
//     stand for the log's new login networks and say the password is in
//     other hands (a newsletter from the usual office is not taken for
//     that): hijacked, with a confidence of 0.45 to
//     0.85, the signal verdict_from_bounces, evidence lines naming the
//     headers, and sendlog in missing_evidence;
//   - a message in our name whose chain starts at a client that never
//     logged in and never touches our relays, without the DKIM signature
//     our relays put on every message, is forged: spoofed, likewise;
//   - notices that return nothing of the original stay
//     insufficient_evidence.
//
// # Campaign or hijack
//
// A newsletter raises the sent volume and the bounces as a hijack does.
// What a hijack changes besides the volume is weighed per account over
// the surge's window (campaign.go; accumulated in any order, decided at
// report time):
//   - who: SASL logins from networks never seen (above). No GeoIP
//     database is used (none is available offline): a new /24 (IPv4) or
//     /48 (IPv6) network stands for a new place, and the evidence names
//     the country codes of the clients' reverse DNS names ("….vn") and
//     an address family never seen for the account (new_login_places);
//   - when (odd_hours): at least half of the window's mail in hours of
//     day that hold less than 2% of the account's own earlier mail, or,
//     with less than a day or 50 messages of history, at night (00:00 to
//     05:59 in the configured zone);
//   - what (spam_subjects): at least 30% of the returned messages'
//     subjects use spam or phishing words (English, Japanese, Chinese,
//     Korean, German, French, Spanish; a shop's own "sale" or "% off" are
//     not among them); only bounces not attributed to forgery count;
//   - to whom (many_domains): the recipients first mailed in the window
//     spread over at least 20 domains the account had never mailed, one
//     per five of them or more, or half of them at such domains;
//   - with what (new_client_form): at least half of the window's messages
//     in the log carry a Message-ID form (attrib.MessageIDShape) never
//     seen for the account before, or half of its bounces a mail program
//     (X-Mailer, User-Agent, versions folded) never seen;
//   - failed logins before the surge (above).
//
// A campaign is named when one subject, not of spam's shape, holds at
// least half of the window's bounces, or two hold 80% (an A/B test);
// the recipient's name in a personalised subject ("山田太郎様へ …",
// "Dear Anna, …") is left out when subjects are compared. The report's
// campaign object gives its start, subject, recipients sent to and
// bounced, bounce rate and hard bounces. A campaign is also named when
// the same hours of an earlier week (up to four) held as much of the
// account's mail (a scheduled newsletter). It is judged legitimate when
// there is no sign of an intruder (logins from new networks, in the
// window or later the same log, ten failed logins, our provider refusing
// the account for spam), no spam subjects, and at most
// one of the other changes: the verdict is then ordinary, the plan starts
// by cleaning the list with the campaign's figures, and a provider's
// sending limit met by it is not taken for a hijack. Malware on the
// owner's own PC logs in from the usual address but changes the hours,
// subjects, recipients and program: two changes or spam subjects keep
// the account hijacked. A campaign on a day our address is forged leaves
// the account spoofed, not mixed.
//
// # Verdicts
//
//   - hijacked: the bounces are ours and the sent volume jumped with them,
//     or our provider refused the account for its volume, or (no log) our
//     relays and signatures are on the returned mail with an authenticated
//     hop; logins from new IPs and first-time recipients raise the
//     confidence.
//   - spoofed: the bounces are mostly not ours, and where the log covers
//     the window the sent volume stayed normal.
//   - mixed: a real share of both, with a hijack signal.
//   - ordinary: no surge and no hijack signal, or a surge of bounces of
//     mail we did send at our normal volume, or the account's own
//     campaign (above).
//   - insufficient_evidence: the evidence cannot tell (typically no send
//     log and bounces that returned too little of the original); the
//     report says which evidence is missing and the plan how to collect it.
//
// # Time
//
// A bounce is placed at the time it reached us — the Received field our
// receiving server added on top, else the mailbox's record of the arrival
// (Mail.Arrival) — never at a date a stranger wrote, which counts only as
// evidence; the analysis window covers the bulk of the events, so no date
// can stretch it (when.go). The surge's onset is placed to the minute
// (surge.Pinpoint) — from the account's sent mail when the send log
// covers the surge and shows the flood leaving before its bounces came
// back (surge.Lead; onset_from "sent", kept per minute over each
// account's most recent day only) — and the hour in progress at the report's time is
// scored against its elapsed share. The report describes the largest
// surge; separate earlier or later ones (two floods a day apart) are
// named in the evidence with their hours (signal other_surges). The send
// log's clock is checked
// against the Received fields our server wrote into the returned
// messages, and corrected when the zone it was read in is wrong (tz.go;
// Report.LogZone).
package diagnose
