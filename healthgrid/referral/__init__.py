"""Two-way referral between the centre's teams and the hospitals."""
