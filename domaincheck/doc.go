// Package domaincheck checks a domain's published mail authentication live
// in the DNS — SPF (RFC 7208), DMARC (RFC 7489), DKIM keys (RFC 6376) and
// MX (RFC 5321, RFC 7505) — and proposes the records to publish.
//
// The point, for a mailbox flooded with backscatter: when someone forges
// our address, receivers that check SPF, DKIM and DMARC refuse the forgery
// during the SMTP session (no bounce is ever made) instead of accepting it
// and later bouncing it to us. That only works when the domain says so:
// an SPF record ending in -all and a DMARC policy of quarantine or reject.
//
// Every result carries Findings with a stable Code ("spf.lookups_exceeded")
// and a message in English and Japanese written for people who are not
// DNS experts, and Proposals: the TXT records to publish.
package domaincheck
