// Package dmarcrpt reads DMARC aggregate reports: the XML of RFC 7489
// appendix C and of the DMARCbis aggregate-reporting schema
// (urn:ietf:params:xml:ns:dmarc-2.0, which the project calls RFC 9990),
// bare or compressed (gzip, zip), or as the attachment of the report mail
// (RFC 7489 section 7.2.1.1).
//
// It is pure: bytes in, a typed Report out, and errors a caller can
// classify with errors.Is (ErrNotReport: the input holds no report;
// ErrMalformed: it holds one that cannot be read; ErrTooLarge: it
// expands past the limit).
package dmarcrpt
