import type { Component } from "solid-js";
import DangerZone from "../components/DangerZone";
import PasswordForm from "../components/PasswordForm";
import Personas from "../components/Personas";
import PlanUsageCard from "../components/PlanUsage";
import ProfileForm from "../components/ProfileForm";

/** The account page: profile, plan and today's usage, personas, password, data export and deletion. */
const Profile: Component = () => (
  <section class="stack-lg">
    <h1>Your account</h1>
    <ProfileForm />
    <PlanUsageCard />
    <Personas />
    <PasswordForm />
    <DangerZone />
  </section>
);

export default Profile;
