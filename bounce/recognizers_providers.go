package bounce

// providerRecognizers are the recognisers of this family, in the order tried.
var providerRecognizers = []recognizer{}
