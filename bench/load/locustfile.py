"""Simulated users of a centre: doctors on worklists, archives and follow-up forms,
managers on dashboards. Run by bench/load/run.sh against 127.0.0.1 only."""
import random
import re

from locust import HttpUser, between, task

PASSWORD = "HealthGrid-2026"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
RESIDENT_LINK = re.compile(r'href="/records/residents/(\d+)"')


class SignedIn(HttpUser):
    abstract = True
    username = "doctor"

    def on_start(self):
        page = self.client.get("/login", name="login page").text
        token = CSRF.search(page).group(1)
        response = self.client.post("/login", data={"username": self.username,
                                                    "password": PASSWORD,
                                                    "csrf_token": token},
                                    name="sign in", allow_redirects=False)
        if response.status_code != 302:
            response.failure(f"sign in failed: {response.status_code}")


class Doctor(SignedIn):
    weight = 4
    wait_time = between(1, 3)

    def on_start(self):
        self.username = random.choice(("doctor", "doctor2", "nurse"))
        super().on_start()
        self.residents = []

    @task(4)
    def worklist(self):
        page = self.client.get("/chronic/worklist", name="worklist").text
        self.residents = RESIDENT_LINK.findall(page)[:20] or self.residents

    @task(3)
    def archive(self):
        if self.residents:
            self.client.get(f"/records/residents/{random.choice(self.residents)}",
                            name="archive page")

    @task(2)
    def search(self):
        self.client.get(f"/records/residents?q={random.choice('zlwcyh')}", name="search")

    @task(2)
    def followup_form(self):
        page = self.client.get("/chronic/worklist", name="worklist").text
        match = re.search(r'href="(/chronic/enrollments/\d+/(?:followups|checks)/new)"', page)
        if match:
            self.client.get(match.group(1), name="follow-up form")


class Manager(SignedIn):
    weight = 1
    wait_time = between(2, 5)
    username = "manager"

    @task(3)
    def dashboard(self):
        self.client.get("/kpi/", name="dashboard")

    @task(1)
    def performance(self):
        self.client.get("/kpi/performance", name="performance")

    @task(1)
    def grids(self):
        self.client.get("/org/grids", name="grid list")
