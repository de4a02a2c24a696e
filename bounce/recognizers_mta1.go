package bounce

// mta1Recognizers are the recognisers of this family, in the order tried.
var mta1Recognizers = []recognizer{}
