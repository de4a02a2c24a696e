package bounce

// japanRecognizers are the recognisers of this family, in the order tried.
var japanRecognizers = []recognizer{}
