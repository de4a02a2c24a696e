// Package scenario writes realistic test cases for `bouncewatch scan`: a
// mailbox of bounces (Maildir or mbox) and the send log of our mail server
// (Postfix syslog lines, or an Exim mainlog) for one story—a hijacked
// account, a forged address, ordinary failures, and so on—together with
// the verdict the scan must give (issue 3).
//
// Everything is simulated from a fixed seed (math/rand/v2, PCG), so a
// scenario is the same bytes on every run. The simulation follows the
// mail: a message submitted to our server (authenticated submission on
// port 587, or local submission by the web shop through Postfix pickup)
// is logged the way Postfix 3.x logs it (smtpd client= with sasl_username,
// cleanup message-id=, qmgr from=, smtp to= … status=, bounce "sender
// non-delivery notification", qmgr removed), carries the Received field
// our server adds (ESMTPSA for an authenticated client, RFC 3848) and our
// DKIM signature, and then either reaches its recipient, is refused during
// the SMTP dialogue (our own Postfix then writes the RFC 3464 DSN), or is
// accepted and bounced later by the recipient's system in that system's
// own format: Sendmail DSN, Exim free text, qmail, Microsoft 365 NDR,
// Gmail DSN, a foreign Postfix. Backscatter for forged mail comes from
// foreign systems only, returns a message whose Received chain starts at
// a botnet host and whose Message-ID our log never saw. Fake notices
// (phishing, FakeKinds designs: carriers, providers, our "mail
// administrator", look-alike mailer-daemons; ISO-2022-JP, Shift_JIS,
// base64 and quoted-printable HTML, encoded names; links to login pages
// on other sites or their own, our address in a link, archives and
// programs, or only wording, HTML or a look-alike sender) refer to no
// message of ours; the one dressed as a DSN returns a fabricated one.
//
// The site: example.jp, served by mail.example.jp (syslog host "mail",
// 192.0.2.25). Addresses use the documentation ranges (RFC 5737, RFC
// 3849) and, for the attackers, the benchmarking range 198.18.0.0/15 (RFC
// 2544), so that distinct /24 networks are available; real provider
// domains (gmail.com, docomo.ne.jp, …) appear only as recipient domains
// and in the notices those providers write.
package scenario
