"""Staff sign-in: admins and counselors. Quiz takers never sign in."""
