// GuestSDK placeholder; see DESIGN.md.
