//! Styles for the screen. Every meaning also has a glyph or a word, so NO_COLOR loses nothing.

use ratatui::style::{Color, Modifier, Style};

use crate::tui::state::StatusKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }
    pub fn key(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn banner(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }
    pub fn training(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }
    /// Escaped control or invisible characters inside a value.
    pub fn escaped(self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::REVERSED)
    }
    /// Characters that differ between the two sides.
    pub fn diff(self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
    }
    pub fn good(self) -> Style {
        self.fg(Color::Green)
    }
    pub fn warn(self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn bad(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn status(self, kind: StatusKind) -> Style {
        match kind {
            StatusKind::Info => Style::new(),
            StatusKind::Saved => self.good(),
            StatusKind::Error => self.bad(),
        }
    }
}
