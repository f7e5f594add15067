// The fake Oura lives in src/demo (the demo command ships it); tests use the same one.
export { FakeOura } from "../src/demo/fake-oura.ts";
