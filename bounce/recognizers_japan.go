package bounce

// japanRecognizers are the recognisers of this family, in the order tried.
// Each rejects other mail on its header fields before reading the body.
var japanRecognizers = []recognizer{
	{"ezweb", scanEZweb},
	{"kddi", scanKDDI},
	{"biglobe", scanBiglobe},
}
