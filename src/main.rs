fn main() {
    crosstalk::app::mount();
}
