"""`make deploy-demo`: the production shape of deploy/ on one machine, checked end to end.

A fresh PostgreSQL database (migrated, the seed data, collectstatic), TWO gunicorn app servers
(deploy/gunicorn.conf.py) behind nginx (deploy/nginx.conf, its ports, paths and certificate swapped
for temporary ones, TLS with a throwaway certificate), TWO task workers (db_worker) and TWO
schedulers (run_scheduled_reports --loop), all against that one database with DEBUG=false. Then,
through nginx: the HTTP→HTTPS redirect, the admin login page and a login, a static CSS file served by
nginx itself (gzip), API reads with a token answered by both app servers (their access logs), an
API write, no token or query string in any log; a token from the token endpoint used and revoked,
wrong passwords spread over both app servers locking the account (counts shared in Redis); every
scheduled report made exactly once and completed by the workers; a backup with deploy/backup.sh
(rotation) restored with deploy/restore.sh into a new database whose every table has the original's
row count. Everything is stopped and both databases dropped at the end. Prints each check with its
figures; exits 1 on any failure.

    python deploy/demo.py [--db-prefix tracker_demo] [--port 18080] [--keep]

The database server is PGHOST/PGPORT/PGUSER/PGPASSWORD (default 127.0.0.1:5432, postgres); the
databases are <prefix>_<pid> and <prefix>_<pid>_restored. Ports: --port (HTTP), +1 and +2 (the
app servers), +363 (HTTPS, 18443 by default).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"

SETUP = """
import json
from django.contrib.auth import get_user_model
from projects.models import ReportSchedule, Zone
from projects.tokens import api_token_create
user = get_user_model().objects.create_superuser("deploy-demo", password=PASSWORD)
get_user_model().objects.create_user(LOCKOUT_USER, password=PASSWORD)
schedules = 0
for zone in Zone.objects.order_by("pk"):
    full = zone.name == "赣县区"
    ReportSchedule.objects.create(
        zone=zone, cadence="monthly",
        formats=["html", "xlsx", "pdf"] if full else ["html"],
        recipients=["leader@example.com"] if full else [],
    )
    schedules += 1
print(json.dumps({"token": api_token_create(user=user)[1], "schedules": schedules}))
"""


class DemoFailed(Exception):
    pass


class Demo:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.started = time.monotonic()
        self.tmp = Path(tempfile.mkdtemp(prefix="tracker-deploy-demo-"))
        self.tmp.chmod(0o755)  # nginx's workers (user nobody) read the static files in it
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.checks = 0
        self.pg = {
            "host": os.environ.get("PGHOST", "127.0.0.1"),
            "port": int(os.environ.get("PGPORT", "5432")),
            "user": os.environ.get("PGUSER", "postgres"),
            "password": os.environ.get("PGPASSWORD") or None,
        }
        self.db = f"{args.db_prefix}_{os.getpid()}"
        self.restored_db = f"{self.db}_restored"
        self.http_port = args.port
        self.app_ports = [args.port + 1, args.port + 2]
        self.https_port = args.port + 363
        self.base = f"https://127.0.0.1:{self.https_port}"
        self.cert = self.tmp / "cert.pem"
        self.static = self.tmp / "static"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))},
            "DATABASE_URL": self.url(self.db),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": self.base,
            "SITE_URL": self.base,
            "TASK_BACKEND": "database",
            "STATIC_ROOT": str(self.static),
            "CONN_MAX_AGE": "60",
            # API throttling counts in the machine's Redis, shared by both app servers.
            "REDIS_URL": os.environ.get("DEMO_REDIS_URL", "redis://127.0.0.1:6379/3"),
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }
        self.env.pop("EMAIL_HOST", None)

    # -- helpers ---------------------------------------------------------------------------------

    def url(self, name: str) -> str:
        password = f":{self.pg['password']}" if self.pg["password"] else ""
        return f"postgres://{self.pg['user']}{password}@{self.pg['host']}:{self.pg['port']}/{name}"

    def say(self, text: str) -> None:
        print(f"[{time.monotonic() - self.started:5.1f}s] {text}", flush=True)

    def check(self, ok: bool, text: str) -> None:
        self.checks += 1
        print(f"        {'✓' if ok else '✗'} {text}", flush=True)
        if not ok:
            raise DemoFailed(text)

    def run(self, *argv: str, env: dict | None = None, ok_codes=(0,)) -> subprocess.CompletedProcess:
        done = subprocess.run(argv, cwd=ROOT, env=env or self.env, capture_output=True, text=True)
        if done.returncode not in ok_codes:
            raise DemoFailed(f"{' '.join(argv[:4])} … exited {done.returncode}:\n{done.stderr[-3000:]}")
        return done

    def manage(self, *args: str) -> str:
        return self.run(sys.executable, "manage.py", *args).stdout

    def start(self, name: str, *argv: str, env: dict | None = None) -> None:
        log = self.tmp / f"{name}.log"
        self.logs[name] = log
        with log.open("wb") as out:
            self.processes[name] = subprocess.Popen(
                argv, cwd=ROOT, env=env or self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def stop(self, name: str, sig: signal.Signals = signal.SIGTERM, timeout: float = 40) -> int | None:
        process = self.processes.pop(name, None)
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode

    def sql(self, db: str, query: str, *params) -> list[tuple]:
        with psycopg.connect(dbname=db, autocommit=True, **self.pg) as connection:
            cursor = connection.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                tail = self.logs[name].read_text(errors="replace")[-2000:]
                raise DemoFailed(f"{name} exited with {process.returncode}:\n{tail}")

    def wait_for(self, what: str, condition, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.alive()
            try:
                if condition():
                    return
            except (requests.RequestException, psycopg.OperationalError):
                pass
            if time.monotonic() > deadline:
                raise DemoFailed(f"{what}: not within {timeout:.0f} s")
            time.sleep(0.3)

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.base + path, verify=str(self.cert), timeout=30, **kwargs)

    # -- the steps -------------------------------------------------------------------------------

    def prepare_database(self) -> None:
        self.say(f"新建数据库 {self.db},迁移;同时 collectstatic")
        self.sql("postgres", f'CREATE DATABASE "{self.db}"')
        self.start("collectstatic", sys.executable, "manage.py", "collectstatic", "--no-input", "-v0")
        self.manage("migrate", "--no-input", "-v0")
        code = self.processes.pop("collectstatic").wait(120)
        css = len(list(self.static.rglob("*.css")))
        self.check(code == 0 and css > 0, f"已迁移;collectstatic 收集 {css} 个CSS文件到 STATIC_ROOT")

    def load_data(self) -> dict:
        self.say("载入种子数据,建管理员与令牌、每个区域一个月报计划(应用服务器同时启动)")
        self.manage("loaddata", "seeds", "-v0")
        password = secrets.token_urlsafe(16)
        lockout_user = f"lockout-{os.getpid()}"  # a throwaway account to lock out
        prelude = f"PASSWORD = {password!r}\nLOCKOUT_USER = {lockout_user!r}\n"
        setup = self.manage("shell", "-c", prelude + SETUP).strip().splitlines()[-1]
        facts = json.loads(setup) | {"password": password, "lockout_user": lockout_user}
        projects = self.sql(self.db, "SELECT count(*) FROM projects_project")[0][0]
        self.check(projects > 0, f"{projects} 个项目,{facts['schedules']} 个报告计划")
        return facts

    def nginx_config(self) -> Path:
        """deploy/nginx.conf as it is, with this machine's ports, paths and certificate."""
        self.run(
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(self.tmp / "key.pem"), "-out", str(self.cert),
        )  # fmt: skip
        text = (DEPLOY / "nginx.conf").read_text()
        swaps = {
            "server 127.0.0.1:8001 ": f"server 127.0.0.1:{self.app_ports[0]} ",
            "server 127.0.0.1:8002 ": f"server 127.0.0.1:{self.app_ports[1]} ",
            "listen 80;": f"listen 127.0.0.1:{self.http_port};",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{self.https_port} ssl;",
            "https://$host$request_uri": f"https://$host:{self.https_port}$request_uri",
            "/etc/ssl/tracker/fullchain.pem": str(self.cert),
            "/etc/ssl/tracker/privkey.pem": str(self.tmp / "key.pem"),
            "/var/log/nginx/tracker.access.log": str(self.tmp / "nginx-access.log"),
            "/var/log/nginx/tracker.error.log": str(self.tmp / "nginx-error.log"),
            "alias /srv/tracker/staticfiles/;": f"alias {self.static}/;",
        }
        for old, new in swaps.items():
            if old not in text:
                raise DemoFailed(f"deploy/nginx.conf no longer contains {old!r}; update deploy/demo.py")
            text = text.replace(old, new)
        (self.tmp / "tracker.conf").write_text(text)
        temp = self.tmp / "nginx-temp"
        temp.mkdir(mode=0o755)
        main = self.tmp / "nginx.conf"
        main.write_text(
            f"""worker_processes 2;
pid {self.tmp}/nginx.pid;
error_log {self.tmp}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {self.tmp}/tracker.conf;
}}
"""
        )
        return main

    def start_servers(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        main = self.nginx_config()
        self.run(nginx, "-t", "-q", "-e", str(self.tmp / "nginx-error.log"), "-c", str(main))
        for port in self.app_ports:
            env = self.env | {
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "GUNICORN_WORKERS": "2",
                "GUNICORN_ACCESS_LOG": str(self.tmp / f"app-{port}-access.log"),
            }
            config = str(DEPLOY / "gunicorn.conf.py")
            app = "tracker.wsgi:application"
            self.start(f"app-{port}", sys.executable, "-m", "gunicorn", "-c", config, app, env=env)
        self.start(
            "nginx", nginx, "-e", str(self.tmp / "nginx-error.log"), "-c", str(main), "-g", "daemon off;"
        )

    def wait_for_servers(self) -> None:
        self.say(
            f"两个 gunicorn 应用服务器(:{self.app_ports[0]}、:{self.app_ports[1]},各2个进程),"
            f"nginx 在前(:{self.https_port})"
        )
        for port in self.app_ports:
            self.wait_for(
                f"app server :{port}",
                lambda port=port: (
                    requests.get(
                        f"http://127.0.0.1:{port}/admin/login/",
                        headers={"X-Forwarded-Proto": "https"},
                        timeout=30,
                    ).status_code
                    == 200
                ),
                60,
            )
        self.wait_for("nginx", lambda: self.get("/admin/login/").status_code == 200, 30)
        self.check(True, "两个应用服务器和 nginx 均已就绪")

    def start_background(self) -> None:
        for n in (1, 2):
            self.start(f"worker-{n}", sys.executable, "manage.py", "db_worker", "--no-reload",
                       "--interval", "1", "--worker-id", f"demo-worker-{n}")  # fmt: skip
        for n in (1, 2):
            self.start(f"scheduler-{n}", sys.executable, "manage.py", "run_scheduled_reports",
                       "--loop", "--interval", "2")  # fmt: skip
        self.say("两个任务进程(db_worker)和两个调度进程(run_scheduled_reports --loop)已启动")

    def check_web(self, facts: dict) -> int:
        self.say("经 nginx 检查")
        redirect = requests.get(
            f"http://127.0.0.1:{self.http_port}/admin/", allow_redirects=False, timeout=10
        )
        self.check(
            redirect.status_code == 301 and redirect.headers["Location"] == f"{self.base}/admin/",
            f"HTTP 跳转到 HTTPS:{redirect.status_code} → {redirect.headers.get('Location')}",
        )
        login = self.get("/admin/login/")
        self.check(
            login.status_code == 200 and "csrfmiddlewaretoken" in login.text,
            f"管理后台登录页:{login.status_code},{len(login.content)} 字节,"
            f"gzip={login.headers.get('Content-Encoding') == 'gzip'},"
            f"HSTS={'Strict-Transport-Security' in login.headers}",
        )
        css_path = "admin/css/base.css"
        css = self.get(f"/static/{css_path}")
        self.check(
            css.status_code == 200
            and css.headers.get("Server", "").startswith("nginx")
            and css.headers["Content-Type"].startswith("text/css")
            and css.headers.get("Content-Encoding") == "gzip"
            and css.content == (self.static / css_path).read_bytes(),
            f"静态文件 /static/{css_path}:{css.status_code},{css.headers['Content-Type']},"
            f"gzip 压缩,{len(css.content)} 字节,与 STATIC_ROOT 中的文件相同",
        )
        session = requests.Session()
        session.trust_env = False  # REQUESTS_CA_BUNDLE would replace the demo's certificate
        session.verify = str(self.cert)
        page = session.get(f"{self.base}/admin/login/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = session.post(
            f"{self.base}/admin/login/?next=/admin/",
            data={"username": "deploy-demo", "password": facts["password"], "csrfmiddlewaretoken": token,
                  "next": "/admin/"},
            headers={"Referer": f"{self.base}/admin/login/"},
            allow_redirects=False,
            timeout=30,
        )  # fmt: skip
        cookie = next((c for c in session.cookies if c.name == "sessionid"), None)
        index = session.get(f"{self.base}/admin/", timeout=30)
        self.check(
            answer.status_code == 302 and cookie is not None and cookie.secure and index.status_code == 200,
            f"登录管理后台:{answer.status_code} → /admin/ {index.status_code},"
            f"会话 Cookie 仅限 HTTPS={bool(cookie and cookie.secure)}",
        )

        # API reads with a token; a query string carrying a (fake) secret, which must not be logged.
        probe = secrets.token_hex(12)
        auth = {"Authorization": f"Token {facts['token']}"}
        reads = 12
        counts = set()
        statuses = Counter()
        for _ in range(reads):
            answer = self.get(f"/api/projects/?page_size=5&search=项目&probe={probe}", headers=auth)
            statuses[answer.status_code] += 1
            if answer.status_code == 200:
                counts.add(answer.json()["count"])
        self.check(
            statuses == {200: reads} and len(counts) == 1,
            f"API 读取 {reads} 次:{dict(statuses)},每次 count={counts}",
        )
        health = [self.get("/healthz") for _ in range(4)]
        self.check(
            [h.status_code for h in health] == [200] * 4 and health[0].json()["database"] == "ok",
            "健康检查 /healthz 经 nginx:4 × 200,数据库可达",
        )
        refused = self.get("/api/projects/")
        self.check(refused.status_code in (401, 403), f"无令牌的 API 读取被拒绝:{refused.status_code}")
        made = requests.post(
            f"{self.base}/api/report-runs/",
            json={"zone": "赣县区", "as_of": "2022-05", "formats": ["html"]},
            headers=auth,
            verify=str(self.cert),
            timeout=30,
        )
        self.check(
            made.status_code == 201,
            f"API 写入(按需报告 POST /api/report-runs/):{made.status_code},#{made.json().get('id')}",
        )

        # Which app server answered: each gunicorn's access log, and nginx's upstream address.
        time.sleep(0.5)
        per_app = {
            port: (self.tmp / f"app-{port}-access.log").read_text().count('"GET /api/projects/ HTTP')
            for port in self.app_ports
        }
        upstreams = Counter(
            re.findall(r"upstream=127\.0\.0\.1:(\d+)", (self.tmp / "nginx-access.log").read_text())
        )
        self.check(
            all(per_app.values()) and sum(per_app.values()) == reads + 1,
            f"两个应用服务器都在应答:API 读取 {per_app}(gunicorn 访问日志),nginx 上游 {dict(upstreams)}",
        )
        logged = "".join(p.read_text(errors="replace") for p in self.tmp.glob("*.log"))
        self.check(
            facts["token"] not in logged and probe not in logged and facts["password"] not in logged,
            f"日志({len(logged)} 字符)中没有令牌、查询字符串和密码",
        )
        return made.json()["id"]

    def check_logins(self, facts: dict) -> None:
        self.say("经 nginx 检查令牌接口与登录锁定(两个应用服务器经 Redis 共享失败次数)")
        # Failures of earlier runs from this address may still be counted in the same Redis.
        self.manage("unlock_login", "--address", "127.0.0.1")
        url = f"{self.base}/api/auth/token/"

        def ask(username: str, password: str) -> requests.Response:
            body = {"username": username, "password": password, "days": 1}
            return requests.post(url, json=body, verify=str(self.cert), timeout=30)

        got = ask("deploy-demo", facts["password"])
        token = got.json().get("token", "") if got.status_code == 201 else ""
        auth = {"Authorization": f"Token {token}"}
        used = self.get("/api/zones/", headers=auth).status_code
        revoked = requests.delete(url, headers=auth, verify=str(self.cert), timeout=30).status_code
        after = self.get("/api/zones/", headers=auth)
        self.check(
            got.status_code == 201 and used == 200 and revoked == 204 and after.status_code == 401,
            f"令牌接口:获取 {got.status_code},使用 {used},撤销 {revoked},撤销后 {after.status_code}"
            f"({after.json().get('code') if after.status_code == 401 else '-'})",
        )

        def posts() -> dict[int, int]:
            return {
                port: (self.tmp / f"app-{port}-access.log").read_text().count('"POST /api/auth/token/ HTTP')
                for port in self.app_ports
            }

        before = posts()
        answers = [ask(facts["lockout_user"], f"wrong-{n}").status_code for n in range(8)]
        right = ask(facts["lockout_user"], facts["password"])
        time.sleep(0.5)
        per_app = {port: count - before[port] for port, count in posts().items()}
        wait = int(right.headers.get("Retry-After", "0"))
        self.check(
            answers == [400] * 4 + [429] * 4
            and right.status_code == 429
            and wait > 800
            and all(per_app.values()),
            f"同一账号 8 次错误密码,经两个应用服务器 {per_app}:{answers};"
            f"随后正确密码也被拒绝:{right.status_code},Retry-After {wait} 秒",
        )
        self.manage("unlock_login", "--user", facts["lockout_user"], "--address", "127.0.0.1")
        unlocked = ask(facts["lockout_user"], facts["password"])
        self.check(
            unlocked.status_code == 201, f"unlock_login 解除锁定后,正确密码获取令牌:{unlocked.status_code}"
        )
        logged = "".join(p.read_text(errors="replace") for p in self.tmp.glob("*.log"))
        self.check(
            token not in logged
            and unlocked.json()["token"] not in logged
            and facts["password"] not in logged,
            "日志中没有新发的令牌和密码",
        )

    def check_reports(self, facts: dict, on_demand: int) -> None:
        self.say("等待报告:两个调度进程各自检查,两个任务进程生成")
        expected = facts["schedules"] + 1

        def finished() -> bool:
            rows = self.sql(
                self.db,
                "SELECT count(*) FILTER (WHERE status = 'done'),"
                " count(*) FILTER (WHERE delivery_status IN ('pending', 'sending')) FROM projects_reportrun",
            )
            return rows[0] == (expected, 0)

        self.wait_for("all reports done", finished, 150)
        per_schedule = self.sql(
            self.db,
            "SELECT count(*) FROM projects_reportrun WHERE schedule_id IS NOT NULL GROUP BY schedule_id",
        )
        made = sum(self.logs[f"scheduler-{n}"].read_text().count("新生成") for n in (1, 2))
        by_scheduler = [self.logs[f"scheduler-{n}"].read_text().count("新生成") for n in (1, 2)]
        self.check(
            len(per_schedule) == facts["schedules"]
            and {n for (n,) in per_schedule} == {1}
            and made == facts["schedules"],
            f"每个报告计划恰好一份报告:{len(per_schedule)} 个计划,两个调度进程分别新建 {by_scheduler} 份",
        )
        tasks = self.sql(
            self.db,
            "SELECT worker_ids, status FROM django_tasks_database_dbtaskresult"
            " WHERE task_path = 'projects.tasks.generate_report'",
        )
        per_worker = Counter(ids[0] for ids, _ in tasks if len(ids) == 1)
        self.check(
            len(tasks) == expected
            and all(len(ids) == 1 and state == "SUCCESSFUL" for ids, state in tasks)
            and sum(per_worker.values()) == expected,
            f"{expected} 个生成任务各由一个任务进程完成:{dict(sorted(per_worker.items()))}",
        )
        gx = self.sql(
            self.db,
            "SELECT r.id, r.attempts, r.delivery_status, array_agg(f.format ORDER BY f.format)"
            " FROM projects_reportrun r"
            " JOIN projects_zone z ON z.id = r.zone_id JOIN projects_reportfile f ON f.run_id = r.id"
            " WHERE z.name = '赣县区' AND r.schedule_id IS NOT NULL GROUP BY r.id",
        )
        self.check(
            len(gx) == 1 and gx[0][1:] == (1, "sent", ["html", "pdf", "xlsx"]),
            f"赣县区的定期报告 #{gx[0][0] if gx else '?'}:生成 {gx[0][1] if gx else '?'} 次,"
            f"文件 {gx[0][3] if gx else '?'},邮件 {gx[0][2] if gx else '?'}",
        )
        page = self.get(
            f"/api/report-runs/{on_demand}/files/html/", headers={"Authorization": f"Token {facts['token']}"}
        )
        self.check(
            page.status_code == 200 and "70.12" in page.text,
            f"按需报告 #{on_demand} 的 HTML 经 nginx 下载:{page.status_code},"
            f"{len(page.content)} 字节,含完成率 70.12%",
        )

    def stop_background(self) -> None:
        codes = {name: self.stop(name) for name in ("scheduler-1", "scheduler-2", "worker-1", "worker-2")}
        self.check(
            all(code == 0 for code in codes.values()), f"调度与任务进程收到 SIGTERM 后正常退出:{codes}"
        )

    def backup_and_restore(self) -> None:
        self.say("备份(deploy/backup.sh,保留2份)并恢复到新数据库(deploy/restore.sh)")
        backups = self.tmp / "backups"
        env = self.env | {"BACKUP_DIR": str(backups), "BACKUP_KEEP": "2"}
        for _ in range(3):
            self.run(str(DEPLOY / "backup.sh"), env=env)
            time.sleep(1.1)  # the dumps are named by the second
        dumps = sorted(backups.glob("tracker-*.dump"))
        self.check(
            len(dumps) == 2, f"备份3次、保留2份:{[p.name for p in dumps]},{dumps[-1].stat().st_size} 字节"
        )
        restored = self.run(str(DEPLOY / "restore.sh"), str(dumps[-1]), self.url(self.restored_db))
        print("        " + restored.stdout.strip().replace("\n", "\n        "))
        tables = [
            name
            for (name,) in self.sql(
                self.db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        counts = {db: {t: self.sql(db, f'SELECT count(*) FROM "{t}"')[0][0] for t in tables}
                  for db in (self.db, self.restored_db)}  # fmt: skip
        differ = [t for t in tables if counts[self.db][t] != counts[self.restored_db][t]]
        main = ["projects_zone", "projects_project", "projects_milestone", "projects_indicatorvalue",
                "projects_reportrun", "projects_reportfile", "auth_user"]  # fmt: skip
        shown = ", ".join(f"{t.removeprefix('projects_')} {counts[self.db][t]}" for t in main)
        self.check(
            not differ and sum(counts[self.db].values()) > 0,
            f"恢复后 {len(tables)} 张表的行数与原库相同(共 {sum(counts[self.db].values())} 行:{shown})",
        )
        again = self.run(
            str(DEPLOY / "restore.sh"), str(dumps[-1]), self.url(self.restored_db), ok_codes=(1,)
        )
        self.check("already has" in again.stderr, "restore.sh 拒绝恢复到已有数据的数据库")
        check = self.run(
            sys.executable,
            "manage.py",
            "migrate",
            "--check",
            env=self.env | {"DATABASE_URL": self.url(self.restored_db)},
        )
        self.check(check.returncode == 0, "恢复的数据库迁移完整(migrate --check)")

    def cleanup(self) -> None:
        for name in [n for n in self.processes if n.startswith(("scheduler", "worker"))]:
            self.stop(name)
        for name in [n for n in self.processes if n.startswith("app-")]:
            self.stop(name)
        self.stop("nginx", signal.SIGQUIT, 15)
        for db in (self.db, self.restored_db):
            try:
                self.sql("postgres", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            except psycopg.Error as error:
                print(f"无法删除数据库 {db}:{error}", file=sys.stderr)
        if self.args.keep:
            print(f"日志与配置保留在 {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def main(self) -> int:
        try:
            self.prepare_database()
            self.start_servers()
            facts = self.load_data()
            self.wait_for_servers()
            self.start_background()
            on_demand = self.check_web(facts)
            self.check_logins(facts)
            self.check_reports(facts, on_demand)
            self.stop_background()
            self.backup_and_restore()
        except DemoFailed as error:
            print(f"\n部署演示失败:{error}", file=sys.stderr)
            self.args.keep = True
            return 1
        except Exception:
            traceback.print_exc()
            print("\n部署演示失败(意外错误,见上)", file=sys.stderr)
            self.args.keep = True
            return 1
        finally:
            self.cleanup()
            self.say("已停止全部进程,删除演示数据库")
        print(f"部署演示通过:{self.checks} 项检查,用时 {time.monotonic() - self.started:.0f} 秒")
        return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-prefix", default="tracker_demo", help="数据库名前缀(默认 tracker_demo)")
    parser.add_argument(
        "--port", type=int, default=18080, help="HTTP 端口;应用服务器用其后两个,HTTPS 用 +363"
    )
    parser.add_argument("--keep", action="store_true", help="保留临时目录(配置与日志)")
    args = parser.parse_args()
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,40}", args.db_prefix):
        parser.error("--db-prefix 只能包含小写字母、数字和下划线")
    missing = [tool for tool in ("nginx", "pg_dump", "pg_restore", "psql", "openssl")
               if not (shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists())]  # fmt: skip
    if missing:
        print(f"缺少 {', '.join(missing)}:make deploy-demo 会从 Debian 安装 nginx", file=sys.stderr)
        return 2
    return Demo(args).main()


if __name__ == "__main__":
    sys.exit(main())
