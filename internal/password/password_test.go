package password

import "testing"

func TestHashVerify(t *testing.T) {
	h, err := Hash("correct horse", Default())
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := Verify("correct horse", h); !ok || err != nil {
		t.Fatalf("right password refused: %v %v", ok, err)
	}
	if ok, _ := Verify("wrong horse", h); ok {
		t.Fatal("wrong password accepted")
	}
	h2, _ := Hash("correct horse", Default())
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	if _, err := Verify("x", "plain"); err != ErrMalformed {
		t.Fatalf("malformed hash: err = %v", err)
	}
}
