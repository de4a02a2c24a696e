package bounce

// googleMSRecognizers are the recognisers of this family, in the order tried.
var googleMSRecognizers = []recognizer{}
