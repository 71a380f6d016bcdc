fn main() {
    let e = custodian_screening::Engine::builtin().unwrap();
    for a in std::env::args().skip(1) {
        println!("{}", serde_json::to_string_pretty(&e.screen(&a)).unwrap());
    }
}
