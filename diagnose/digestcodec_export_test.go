package diagnose

// For TestDigestCoversEveryField.
const (
	DigestFields = digestFields
	FactsFields  = factsFields
)
