package bounce

// mta2Recognizers are the recognisers of this family, in the order tried.
var mta2Recognizers = []recognizer{}
