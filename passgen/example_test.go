package passgen_test

import (
	"fmt"
	"testing"

	"github.com/bouncewatch/bouncewatch/passgen"
)

func ExampleGenerate() {
	o := passgen.DefaultOptions()
	pw, err := passgen.Generate(o)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The password itself is random; its length and strength are not.
	fmt.Println(len(pw), "characters")
	fmt.Printf("%.1f bits\n", passgen.Entropy(o))

	o.Symbols = false
	o.AvoidAmbiguous = true
	fmt.Printf("without symbols and look-alikes: %.1f bits\n", passgen.Entropy(o))
	// Output:
	// 20 characters
	// 124.1 bits
	// without symbols and look-alikes: 116.1 bits
}

func ExampleEntropy() {
	for _, n := range []int{8, 12, 20} {
		o := passgen.DefaultOptions()
		o.Length = n
		fmt.Printf("%2d characters: %5.1f bits\n", n, passgen.Entropy(o))
	}
	_, err := passgen.Generate(passgen.Options{Length: 20})
	fmt.Println(err)
	// Output:
	//  8 characters:  48.5 bits
	// 12 characters:  74.0 bits
	// 20 characters: 124.1 bits
	// passgen: no character class enabled
}

func BenchmarkGenerate(b *testing.B) {
	o := passgen.DefaultOptions()
	for b.Loop() {
		if _, err := passgen.Generate(o); err != nil {
			b.Fatal(err)
		}
	}
}
