//! Thin binary: a panic hook that gives the terminal back first, then the library.

fn main() -> std::process::ExitCode {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        estiba::runtime::restore_terminal();
        default_hook(info);
    }));
    estiba::main_entry()
}
